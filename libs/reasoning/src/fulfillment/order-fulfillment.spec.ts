import type { CustomerMemory } from '@arbiter/memory';
import { eventOf, inputOf, memoryOf, shippedPolicies, verdictOn } from '../case-builder';
import { fulfillmentHeuristic } from './order-fulfillment';

const policy = shippedPolicies.forPoint('order.fulfillment')!;

function order(country: string, promisedDays?: number) {
  return eventOf('order.placed', {
    orderId: 'o1', customerId: 'cus_1', items: [{ sku: 'sku-1', qty: 2 }], totalCents: 5000, currency: 'EUR', shipTo: { country, postalCode: '1' }, ...(promisedDays ? { promisedDays } : {}),
  });
}

const memory = (stats: Partial<CustomerMemory['stats']> = {}) => memoryOf('cus_1', { stats });

// wh-fra reaches DE in 1 day but has little stock; wh-ams reaches DE in 2 days with plenty.
const inventory = { 'wh-fra': { 'sku-1': 3 }, 'wh-ams': { 'sku-1': 150 }, 'wh-waw': { 'sku-1': 0 } };

describe('order fulfillment, offline heuristic', () => {
  it('given a new customer, ships from the warehouse with most stock to spare that keeps the promise', () => {
    const { proposal } = fulfillmentHeuristic(inputOf(policy, order('DE', 3), memory(), { inventory }));
    expect(proposal).toMatchObject({ type: 'fulfill.ship-from', params: { warehouseId: 'wh-ams', promisedDays: 2 } });
  });

  it('given a long-standing, valuable customer, takes the fastest route instead', () => {
    const { proposal } = fulfillmentHeuristic(inputOf(policy, order('DE', 3), memory({ orders: 12, lifetimeValueCents: 240_000 }), { inventory }));
    expect(proposal).toMatchObject({ type: 'fulfill.ship-from', params: { warehouseId: 'wh-fra', promisedDays: 1 } });
  });

  it('given a customer whose deliveries ran late, pads the promise by a day', () => {
    const { proposal } = fulfillmentHeuristic(inputOf(policy, order('DE', 5), memory({ deliveriesLate: 2, deliveriesOnTime: 3 }), { inventory }));
    expect(proposal?.params.promisedDays).toBe(3);
    expect(proposal?.rationale).toMatch(/padded/);
  });

  it('given no stock anywhere that serves the destination, proposes a backorder the policy approves', () => {
    const input = inputOf(policy, order('PT'), memory(), { inventory });
    const result = fulfillmentHeuristic(input);
    expect(result.proposal?.type).toBe('fulfill.backorder');
    expect(verdictOn(input, result.proposal).outcome).toBe('approved');
  });

  it('proposes only what the policy approves as it stands, for every destination it serves', () => {
    for (const country of ['NL', 'DE', 'FR', 'ES', 'PL', 'IE', 'GB', 'PT', 'SE']) {
      const input = inputOf(policy, order(country, 4), memory(), { inventory: { ...inventory, 'wh-mad': { 'sku-1': 40 }, 'wh-dub': { 'sku-1': 40 }, 'wh-waw': { 'sku-1': 40 } } });
      expect([country, verdictOn(input, fulfillmentHeuristic(input).proposal).outcome]).toEqual([country, 'approved']);
    }
  });

  it('never proposes a warehouse the policy does not allow', () => {
    const facts = { inventory: { ...inventory, 'wh-rogue': { 'sku-1': 9999 } } };
    const { proposal } = fulfillmentHeuristic(inputOf(policy, order('DE'), memory(), facts));
    expect(proposal?.params.warehouseId).not.toBe('wh-rogue');
  });
});
