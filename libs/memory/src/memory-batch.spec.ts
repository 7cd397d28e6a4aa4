import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DomainEvent } from '@arbiter/contracts';
import { PgliteReadModelStore } from '@arbiter/read-models-pglite';
import { Random, Simulator } from '@arbiter/simulator';
import { projectDomainEvent } from './domain-projection';
import { TimedEvent, projectDomainBatch } from './memory-batch';
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
