import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteBus } from '@arbiter/bus-sqlite';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import type { DomainEvent } from '@arbiter/contracts';
import { PgliteReadModelStore } from '@arbiter/read-models-pglite';
import { MemoryReader } from './memory-reader';
import { memoryMigrations } from './migrations';
import { DomainProjector } from './projectors';

const ce = (id: string, type: string, subject: string, data: object, time: string) =>
  ({ specversion: '1.0', id, source: '/test', type, subject, time, data }) as DomainEvent;

const history = [
  ce('e1', 'customer.registered', 'cus_1', { customerId: 'cus_1', name: 'Ada Andersen', country: 'NL', segment: 'consumer', registeredAt: '2026-01-01T00:00:00.000Z' }, '2026-01-01T00:00:00.000Z'),
  ce('e2', 'order.placed', 'cus_1', { orderId: 'o1', customerId: 'cus_1', items: [{ sku: 's1', qty: 1 }], totalCents: 4000, currency: 'EUR', shipTo: { country: 'NL', postalCode: '1011' } }, '2026-01-02T00:00:00.000Z'),
  ce('e3', 'order.placed', 'cus_1', { orderId: 'o2', customerId: 'cus_1', items: [{ sku: 's2', qty: 3 }], totalCents: 6000, currency: 'EUR', shipTo: { country: 'NL', postalCode: '1011' } }, '2026-01-03T00:00:00.000Z'),
  ce('e4', 'payment.failed', 'cus_1', { paymentId: 'p1', orderId: 'o2', customerId: 'cus_1', amountCents: 6000, currency: 'EUR', reason: 'card_expired', attempt: 1 }, '2026-01-03T01:00:00.000Z'),
  ce('e5', 'order.delivered', 'cus_1', { orderId: 'o1', customerId: 'cus_1', warehouseId: 'wh-ams', deliveredDays: 7, onTime: false }, '2026-01-09T00:00:00.000Z'),
];

describe('customer memory', () => {
  let dir: string;
  let bus: SqliteBus;
  let store: SqliteEventStore;
  let readModels: PgliteReadModelStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'arbiter-memory-'));
    readModels = await PgliteReadModelStore.open(join(dir, 'rm'));
    await readModels.migrate(memoryMigrations);
  });
  afterAll(async () => {
    await readModels.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    bus = new SqliteBus(join(dir, `bus-${Date.now()}.db`));
    store = new SqliteEventStore(join(dir, `events-${Date.now()}.db`));
    const tables = ['customers', 'customer_orders', 'customer_events', 'payment_history', 'usage_history', 'usage_totals', 'dispute_history', 'inventory_levels', 'seen_events', 'projection_checkpoints'];
    for (const table of tables) await readModels.query(`DELETE FROM ${table}`);
  });
  afterEach(async () => {
    await bus.close();
    await store.close();
  });

  async function project(events: DomainEvent[], raw: string[] = []): Promise<void> {
    await bus.publish('commerce.orders', [...events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })), ...raw.map((value) => ({ key: 'x', value }))]);
    const projector = new DomainProjector(bus, store, { readModels }, 'test.projector');
    await projector.start();
    while ((await projector.lag()) > 0n || !(await projector.caughtUp())) await new Promise((r) => setTimeout(r, 20));
    await projector.stop();
  }

  it('given a customer\'s events, remembers profile, orders, value, failures and late deliveries', async () => {
    await project(history);
    const memory = await new MemoryReader(readModels).customerMemory('cus_1');
    expect(memory.known).toBe(true);
    expect(memory.profile).toMatchObject({ country: 'NL', segment: 'consumer', registeredAt: '2026-01-01T00:00:00.000Z' });
    expect(memory.stats).toMatchObject({ events: 5, orders: 2, lifetimeValueCents: 10_000, paymentsFailed: 1, deliveriesLate: 1 });
    expect(memory.recentOrders.map((o) => [o.orderId, o.status])).toEqual([['o2', 'placed'], ['o1', 'delivered-late']]);
    expect(memory.recentEvents[0]).toMatchObject({ type: 'order.delivered', summary: { onTime: false } });
    expect(JSON.stringify(memory)).not.toContain('Ada');
  });

  it('learns from an event once, even when a producer publishes it twice', async () => {
    await project([...history, history[1], history[3]]);
    const memory = await new MemoryReader(readModels).customerMemory('cus_1');
    expect(memory.stats).toMatchObject({ events: 5, orders: 2, lifetimeValueCents: 10_000, paymentsFailed: 1 });
  });

  it('skips invalid messages and keeps projecting what follows', async () => {
    await project([history[0]], ['not json', '{"specversion":"1.0"}']);
    await project([history[1]]);
    expect((await new MemoryReader(readModels).customerMemory('cus_1')).stats.orders).toBe(1);
  });
});
