import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { SqliteBus } from '@arbiter/bus-sqlite';
import type { DomainEvent } from '@arbiter/contracts';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import type { ReadModelStore } from '@arbiter/read-models';
import { PgliteReadModelStore } from '@arbiter/read-models-pglite';
import { PostgresReadModelStore } from '@arbiter/read-models-postgres';
import { Simulator } from '@arbiter/simulator';
import { memoryMigrations } from '../migrations';
import { DomainProjector, MEMORY_PROJECTION } from '../projectors';
import { rebuildableProjection } from './catalog';
import { ProjectionBusyError, rebuildProjection } from './rebuild';

const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MEMORY = rebuildableProjection(MEMORY_PROJECTION)!;

async function adminQuery(sql: string): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(sql);
  await admin.end();
}

interface Engine {
  open(dir: string): Promise<{ readModels: ReadModelStore; dispose(): Promise<void> }>;
}

const ENGINES: [string, Engine][] = [
  ['the embedded engine (PGlite)', { open: async (dir) => {
    const readModels = await PgliteReadModelStore.open(join(dir, 'read-models'));
    return { readModels, dispose: () => readModels.close() };
  } }],
  ['PostgreSQL', { open: async () => {
    const database = `arbiter_rebuild_${randomUUID().slice(0, 8)}`;
    await adminQuery(`CREATE DATABASE ${database}`);
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    const readModels = await PostgresReadModelStore.open(url.toString());
    return { readModels, dispose: async () => {
      await readModels.close();
      await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    } };
  } }],
];

async function dumpMemory(db: ReadModelStore): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of MEMORY.tables) out[table] = (await db.query(`SELECT * FROM ${table}`)).map((r) => JSON.stringify(r)).sort();
  return out;
}

/** Every index (keys included) on the memory tables, by name and definition, and the tables' storage options. */
async function indexesOf(db: ReadModelStore): Promise<string[]> {
  const rows = await db.query<{ name: string; definition: string }>(
    `SELECT indexname AS name, indexdef AS definition FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY($1::text[])
     UNION ALL SELECT relname, array_to_string(reloptions, ', ') FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relname = ANY($1::text[]) AND reloptions IS NOT NULL
     ORDER BY 1`,
    [MEMORY.tables],
  );
  return rows.map((r) => `${r.name}: ${r.definition}`);
}

describe.each(ENGINES)('rebuilding customer memory on %s', (_name, engine) => {
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-rebuild-'));
  const history: DomainEvent[] = [...new Simulator({ seed: 21 }).take(1_500)];
  let store: SqliteEventStore;
  let bus: SqliteBus;
  let readModels: ReadModelStore;
  let dispose: () => Promise<void>;
  let projector: DomainProjector;
  let archived: number;

  /** The live pipeline: events on the bus, archived into the store and folded into memory. */
  async function ingest(events: DomainEvent[]): Promise<void> {
    await bus.publish('commerce.orders', events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })));
    while ((await projector.lag()) > 0n || !(await projector.caughtUp())) await new Promise((r) => setTimeout(r, 20));
  }

  beforeAll(async () => {
    store = new SqliteEventStore(join(dir, 'events.db'));
    bus = new SqliteBus(join(dir, 'bus.db'));
    ({ readModels, dispose } = await engine.open(dir));
    await readModels.migrate(memoryMigrations);
    projector = new DomainProjector(bus, store, { readModels }, 'rebuild.projector');
    await projector.start();
    // A producer that retried some publishes: those events reach the bus twice, the second time later.
    const first = history.slice(0, 1_000);
    const published = [...first, ...first.filter((_, i) => i % 7 === 3)];
    archived = published.length;
    await ingest(published);
  }, 120_000);
  afterAll(async () => {
    await projector.stop();
    await bus.close();
    await store.close();
    await dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses while a live projector holds the projection, and changes nothing', async () => {
    const before = await dumpMemory(readModels);
    await expect(rebuildProjection(store, readModels, MEMORY)).rejects.toBeInstanceOf(ProjectionBusyError);
    expect(await dumpMemory(readModels)).toEqual(before);
  });

  it('rebuilds from position zero exactly the memory the live projection built, whatever state the live tables were left in', async () => {
    const built = await dumpMemory(readModels);
    const keysAndIndexes = await indexesOf(readModels);
    await projector.stop();
    // Damage the live view: a rebuild must not depend on what is there.
    await readModels.query('DELETE FROM customer_orders WHERE order_id IN (SELECT order_id FROM customer_orders LIMIT 10)');
    await readModels.query('UPDATE customers SET orders_count = 0');
    const damaged = await dumpMemory(readModels);

    const report = await rebuildProjection(store, readModels, MEMORY, { batchSize: 250 });
    expect(report.events).toBe(archived);
    expect(await dumpMemory(readModels)).toEqual(built);
    expect(damaged).not.toEqual(built);
    expect(await indexesOf(readModels)).toEqual(keysAndIndexes);
    expect(keysAndIndexes).toContain('customers: fillfactor=70');
  }, 120_000);

  it('keeps the live tables untouched while it runs: a reader mid-rebuild sees the old view', async () => {
    await readModels.query('UPDATE customers SET segment = $1', ['old-view']);
    const before = await dumpMemory(readModels);
    const midway: boolean[] = [];
    let checking: Promise<void> = Promise.resolve();
    // Each of the rebuild's transactions (its batches, then the swap) waits for the reads asked for before it.
    const gated: ReadModelStore = {
      query: (sql, params) => readModels.query(sql, params),
      transaction: async (work) => {
        await checking;
        return readModels.transaction(work);
      },
      tryLease: (name) => readModels.tryLease(name),
      insertRows: (table, columns, rows) => readModels.insertRows(table, columns, rows),
      migrate: (migrations) => readModels.migrate(migrations),
      close: () => readModels.close(),
    };
    await rebuildProjection(store, gated, MEMORY, {
      batchSize: 100,
      onProgress: ({ fraction }) => {
        if (fraction < 1) checking = checking.then(async () => void midway.push(JSON.stringify(await dumpMemory(readModels)) === JSON.stringify(before)));
      },
    });
    await checking;
    expect(midway.length).toBeGreaterThan(0);
    expect(midway.every(Boolean)).toBe(true);
    const [{ n }] = await readModels.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM customers WHERE segment = 'old-view'`);
    expect(n).toBe(0);
  }, 120_000);

  it('hands over to the live projector: it resumes from the rebuilt checkpoint, and the rebuilt tables keep their indexes', async () => {
    projector = new DomainProjector(bus, store, { readModels }, 'rebuild.projector');
    await projector.start();
    await ingest(history.slice(1_000));
    const [{ n }] = await readModels.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM seen_events');
    expect(n).toBe(history.length);
    const orders = history.filter((e) => e.type === 'order.placed').length;
    const [{ total }] = await readModels.query<{ total: number }>('SELECT SUM(orders_count)::int AS total FROM customers');
    expect(total).toBe(orders);
    const indexes = (await readModels.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'customer_orders'`)).map((r) => r.indexname);
    expect(indexes.sort()).toEqual(['customer_orders_by_customer', 'customer_orders_pkey']);
  }, 120_000);
});
