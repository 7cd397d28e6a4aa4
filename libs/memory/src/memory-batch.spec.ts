import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DomainEvent } from '@arbiter/contracts';
import { PgliteReadModelStore } from '@arbiter/read-models-pglite';
import { Random, Simulator } from '@arbiter/simulator';
import { projectDomainEvent } from './domain-projection';
import { BatchFold, MemoryRows, TimedEvent, projectDomainBatch } from './memory-batch';
import { memoryMigrations } from './migrations';

const MEMORY_TABLES = ['customers', 'customer_orders', 'customer_events', 'payment_history', 'usage_history', 'usage_totals', 'dispute_history', 'inventory_levels', 'seen_events'];

async function dump(store: PgliteReadModelStore): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of MEMORY_TABLES) {
    const rows = await store.query(`SELECT * FROM ${table}`);
    out[table] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

const timed = (events: DomainEvent[]): TimedEvent[] => events.map((event) => ({ event, at: event.time! }));

describe('customer memory folded a batch at a time', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-memory-batch-'));
  let n = 0;
  const fresh = async () => {
    const store = await PgliteReadModelStore.open(join(dir, `rm-${n++}`));
    await store.migrate(memoryMigrations);
    return store;
  };
  const stores: PgliteReadModelStore[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // A simulated history with redeliveries: some events arrive twice, in the same batch or a later one.
  const random = new Random(5);
  const history = [...new Simulator({ seed: 5 }).take(1_500)];
  const delivered = history.flatMap((e) => (random.next() < 0.05 ? [e, e] : [e]));

  it('remembers exactly what folding one event at a time remembers, whatever the batch sizes', async () => {
    const [oneByOne, batched, reference] = await Promise.all([fresh(), fresh(), fresh()]);
    stores.push(oneByOne, batched, reference);

    for (const item of timed(delivered)) await oneByOne.transaction((tx) => projectDomainBatch(tx, [item]));
    for (let i = 0; i < delivered.length; ) {
      const size = 1 + Math.floor(random.next() * 400);
      await batched.transaction((tx) => projectDomainBatch(tx, timed(delivered.slice(i, i + size))));
      i += size;
    }
    await reference.transaction(async (tx) => {
      const seen = new Set<string>();
      for (const e of delivered) {
        if (seen.has(e.id)) continue;
        seen.add(e.id);
        await tx.query('INSERT INTO seen_events (event_id) VALUES ($1)', [e.id]);
        await projectDomainEvent(tx, e, e.time!);
      }
    });

    const expected = await dump(reference);
    expect(expected.customers.length).toBeGreaterThan(50);
    expect(await dump(oneByOne)).toEqual(expected);
    expect(await dump(batched)).toEqual(expected);
  }, 120_000);

  it('counts an event delivered again in a later batch once', async () => {
    const store = await fresh();
    stores.push(store);
    const order = history.find((e) => e.type === 'order.placed')!;
    const first = await store.transaction((tx) => projectDomainBatch(tx, timed([order])));
    const again = await store.transaction((tx) => projectDomainBatch(tx, timed([order, order])));
    expect([first, again]).toEqual([1, 0]);
    const [customer] = await store.query<{ orders_count: number; events_count: number }>('SELECT orders_count, events_count FROM customers WHERE customer_id = $1', [order.subject]);
    expect(customer).toEqual({ orders_count: 1, events_count: 1 });
  });
});

describe('customer memory folded for a bulk load into empty tables', () => {
  type Of<T extends DomainEvent['type']> = Extract<DomainEvent, { type: T }>;
  const sorted = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).sort();

  // A simulated history, with one order placed again under another event id and total after its
  // delivery, then delivered again: neither may change the order written when it was delivered.
  const history = [...new Simulator({ seed: 8 }).take(3_000)];
  const at = history.findIndex((e) => e.type === 'order.delivered' && history.some((p) => p.type === 'order.placed' && p.data.orderId === (e as Of<'order.delivered'>).data.orderId));
  const delivery = history[at] as Of<'order.delivered'>;
  const placement = history.find((e) => e.type === 'order.placed' && e.data.orderId === delivery.data.orderId) as Of<'order.placed'>;
  history.splice(at + 1, 0,
    { ...placement, id: 'again-placed', data: { ...placement.data, totalCents: 1 } },
    { ...delivery, id: 'again-delivered', data: { ...delivery.data, onTime: !delivery.data.onTime, deliveredDays: 99 } });

  it('writes the orders placed and delivered as it goes, and ends with the rows one fold of everything gives', () => {
    const whole = new BatchFold();
    for (const item of timed(history)) whole.add(item);
    const expected: MemoryRows = { ...whole.takeHistories(), ...whole.keyedRowsForEmptyMemory() };

    const going = new BatchFold();
    const settled: unknown[] = [];
    let histories: unknown[] = [];
    for (let i = 0; i < history.length; i += 250) {
      for (const item of timed(history.slice(i, i + 250))) going.add(item);
      settled.push(...going.takeSettledOrders());
      histories = [...histories, ...Object.values(going.takeHistories()).flat()];
    }
    const rest = going.keyedRowsForEmptyMemory();

    // Both ways of writing an order are exercised.
    expect(settled.length).toBeGreaterThan(100);
    expect(rest.customer_orders.length).toBeGreaterThan(100);
    expect(sorted([...settled, ...rest.customer_orders])).toEqual(sorted(expected.customer_orders));
    expect(sorted(rest.customers)).toEqual(sorted(expected.customers));
    expect(sorted(histories)).toEqual(sorted([...expected.customer_events, ...expected.payment_history, ...expected.usage_history]));
    const order = [...settled, ...rest.customer_orders].find((o) => (o as { order_id: string }).order_id === placement.data.orderId);
    expect(order).toMatchObject({ total_cents: placement.data.totalCents, delivered_days: delivery.data.deliveredDays });
  });
});
