import type { DomainEvent } from '@arbiter/contracts';
import { CustomerStory } from '@arbiter/simulator';
import { decideOverHttp, tell } from './autonomy-helpers';
import { Running, freshDataDir, startAllInOne } from './harness';

const stock = (warehouseId: string, onHand: number): DomainEvent =>
  ({ specversion: '1.0', id: `inv-${warehouseId}`, source: '/inventory', type: 'inventory.level.changed', subject: warehouseId, time: new Date(Date.now() - 3_600_000).toISOString(), data: { warehouseId, sku: 'sku-0007', onHand } }) as DomainEvent;

describe('order fulfillment, end to end: memory trades speed against capacity', () => {
  let running: Running;
  const now = new Date().toISOString();
  const valued = new CustomerStory({ customerId: 'cus_ship_valued', now, seed: 31 }).registered(700, { country: 'DE' }).orders(12, { overDays: 650 });
  const first = new CustomerStory({ customerId: 'cus_ship_first', now, seed: 32 }).registered(2, { country: 'DE' });
  const order = (story: CustomerStory) =>
    story.trigger('order.placed', { orderId: `${story.customerId}-ord-now`, customerId: story.customerId, items: [{ sku: 'sku-0007', qty: 2 }], totalCents: 6_000, currency: 'EUR', shipTo: { country: 'DE', postalCode: '10115' }, promisedDays: 3 });

  beforeAll(async () => {
    running = await startAllInOne(freshDataDir());
    // Frankfurt reaches Germany in a day but is nearly out; Amsterdam takes two days and has plenty.
    await tell(running, [stock('wh-fra', 3), stock('wh-ams', 150), ...valued.events(), ...first.events()]);
  }, 120_000);
  afterAll(() => running.close());

  it('ships a valued customer\'s order from the fast warehouse and a first order from the one with stock to spare', async () => {
    const fast = (await decideOverHttp(running, order(valued))).body.decisions[0];
    const spare = (await decideOverHttp(running, order(first))).body.decisions[0];
    expect(fast).toMatchObject({ outcome: 'approved', action: { type: 'fulfill.ship-from', params: { warehouseId: 'wh-fra', promisedDays: 1 } } });
    expect(spare).toMatchObject({ outcome: 'approved', action: { type: 'fulfill.ship-from', params: { warehouseId: 'wh-ams', promisedDays: 2 } } });
    expect(spare.checks).toEqual(expect.arrayContaining([expect.objectContaining({ check: 'guard:warehouse-has-stock', result: 'pass' })]));
  });
});
