import { join } from 'node:path';
import { parseDomainEvent } from '@arbiter/contracts';
import type { CustomerMemory } from '@arbiter/memory';
import { PolicyBook, judge } from '@arbiter/policy';
import { fulfillmentHeuristic } from './order-fulfillment';

const policy = PolicyBook.load(join(__dirname, '..', '..', '..', '..', 'policies')).forPoint('order.fulfillment')!;

function order(country: string, promisedDays?: number) {
  const event = parseDomainEvent({
    specversion: '1.0', id: 'e1', source: '/t', type: 'order.placed', subject: 'cus_1',
    data: { orderId: 'o1', customerId: 'cus_1', items: [{ sku: 'sku-1', qty: 2 }], totalCents: 5000, currency: 'EUR', shipTo: { country, postalCode: '1' }, ...(promisedDays ? { promisedDays } : {}) },
  });
  if (event.type !== 'order.placed') throw new Error('unexpected');
  return event;
}

function memory(stats: Partial<CustomerMemory['stats']> = {}): CustomerMemory {
  return {
    customerId: 'cus_1', known: true,
    profile: { country: 'DE', segment: 'consumer', registeredAt: null, firstSeen: null },
    stats: { events: 0, orders: 0, lifetimeValueCents: 0, paymentsFailed: 0, paymentsSucceeded: 0, deliveriesOnTime: 0, deliveriesLate: 0, disputesOpened: 0, usageReports: 0, ...stats },
    recentOrders: [], recentEvents: [], usage: [], decisions: [],
  };
}

// wh-fra reaches DE in 1 day but has little stock; wh-ams reaches DE in 2 days with plenty.
const inventory = { 'wh-fra': { 'sku-1': 3 }, 'wh-ams': { 'sku-1': 150 }, 'wh-waw': { 'sku-1': 0 } };

describe('order fulfillment, offline heuristic', () => {
  it('given a new customer, ships from the warehouse with most stock to spare that keeps the promise', () => {
    const { proposal } = fulfillmentHeuristic({ event: order('DE', 3), memory: memory(), facts: { inventory }, policy });
    expect(proposal).toMatchObject({ type: 'fulfill.ship-from', params: { warehouseId: 'wh-ams', promisedDays: 2 } });
  });

  it('given a long-standing, valuable customer, takes the fastest route instead', () => {
    const { proposal } = fulfillmentHeuristic({ event: order('DE', 3), memory: memory({ orders: 12, lifetimeValueCents: 240_000 }), facts: { inventory }, policy });
    expect(proposal).toMatchObject({ type: 'fulfill.ship-from', params: { warehouseId: 'wh-fra', promisedDays: 1 } });
  });

  it('given a customer whose deliveries ran late, pads the promise by a day', () => {
    const { proposal } = fulfillmentHeuristic({ event: order('DE', 5), memory: memory({ deliveriesLate: 2, deliveriesOnTime: 3 }), facts: { inventory }, policy });
    expect(proposal?.params.promisedDays).toBe(3);
    expect(proposal?.rationale).toMatch(/padded/);
  });

  it('given no stock anywhere that serves the destination, proposes a backorder the policy approves', () => {
    const result = fulfillmentHeuristic({ event: order('PT'), memory: memory(), facts: { inventory }, policy });
    expect(result.proposal?.type).toBe('fulfill.backorder');
    expect(judge(policy.document, result.proposal).outcome).toBe('approved');
  });

  it('never proposes a warehouse the policy does not allow', () => {
    const facts = { inventory: { ...inventory, 'wh-rogue': { 'sku-1': 9999 } } };
    const { proposal } = fulfillmentHeuristic({ event: order('DE'), memory: memory(), facts, policy });
    expect(proposal?.params.warehouseId).not.toBe('wh-rogue');
  });
});
