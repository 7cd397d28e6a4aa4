import type { EventStore, Position } from '@arbiter/event-store';
import type { ReadModelStore } from '@arbiter/read-models';
import { writeCheckpoint } from '../checkpoints';
import type { BulkLoadContext, RebuildableProjection } from './catalog';
import { schemaScopedStore } from './schema-scoped-store';
import { createBareCopy, createEmptyCopy, keyStatements } from './table-copy';

export class ProjectionBusyError extends Error {
  readonly code = 'projection-busy';
  constructor(readonly projection: string) {
    super(`projection ${projection} is running in another process; stop the projector (or wait for it) and try again`);
  }
}

export interface RebuildProgress {
  events: number;
  /** Share of the store behind the rebuild, 0..1, by global position. */
  fraction: number;
}

export interface RebuildReport {
  projection: string;
  events: number;
  seconds: number;
  eventsPerSec: number;
  checkpoint: string | null;
}

export interface RebuildOptions {
  batchSize?: number;
  onProgress?: (progress: RebuildProgress) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Rebuilds a projection from position zero into fresh tables in a schema of their own, then
 * swaps them in with one transaction: readers see the old view until the commit and the whole
 * new one after it, never a half-built one. The projection's lease is held throughout, so no
 * live projector writes the old tables meanwhile; it resumes from the new checkpoint after.
 */
export async function rebuildProjection(store: EventStore, readModels: ReadModelStore, projection: RebuildableProjection, options: RebuildOptions = {}): Promise<RebuildReport> {
  const lease = await readModels.tryLease(`projection:${projection.name}`);
  if (!lease) throw new ProjectionBusyError(projection.name);
  const schema = `arbiter_rebuild_${projection.name.replace(/[^a-z0-9]/g, '_')}`;
  const started = performance.now();
  let events = 0;
  try {
    await readModels.transaction(async (tx) => {
      await tx.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await tx.query(`CREATE SCHEMA ${schema}`);
      for (const table of projection.tables) await (projection.load ? createBareCopy : createEmptyCopy)(tx, table, schema);
      await createEmptyCopy(tx, 'projection_checkpoints', schema);
    });
    const head = await store.headPosition();
    const fraction = (p: Position) => (head && head.commit > 0n ? Math.min(1, Number((p.commit * 10_000n) / head.commit) / 10_000) : 1);
    const onBatch = (n: number, last: Position) => {
      events += n;
      options.onProgress?.({ events, fraction: fraction(last) });
    };
    if (projection.load) await bulkLoad(store, readModels, projection, schema, { every: options.batchSize ?? 5_000, onBatch });
    else await runToHead(store, schemaScopedStore(readModels, schema), projection, options.batchSize, onBatch);
    const checkpoint = await swapIn(readModels, projection, schema);
    const seconds = (performance.now() - started) / 1000;
    options.onProgress?.({ events, fraction: 1 });
    return { projection: projection.name, events, seconds: Number(seconds.toFixed(3)), eventsPerSec: Math.round(events / seconds), checkpoint };
  } catch (e) {
    await readModels.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    throw e;
  } finally {
    await lease.release();
  }
}

/** The projection's runner into the tables of the schema (with their indexes), until it has read everything. */
async function runToHead(store: EventStore, scoped: ReadModelStore, projection: RebuildableProjection, batchSize: number | undefined, onBatch: (n: number, last: Position) => void): Promise<void> {
  const runner = projection.runner(store, scoped, { batchSize: batchSize ?? 5_000, exclusive: false, onBatch });
  await runner.start();
  try {
    while (!(await runner.caughtUp())) await sleep(25);
  } finally {
    await runner.stop();
  }
}

/**
 * The projection's bulk load into bare tables, then their keys and indexes, built from all the
 * rows at once (a table's as soon as the load says it is complete, while the load goes on), and
 * the checkpoint. All of it lands in the rebuild's schema, which only the swap makes live.
 */
async function bulkLoad(store: EventStore, readModels: ReadModelStore, projection: RebuildableProjection, schema: string, progress: Omit<BulkLoadContext, 'complete'>): Promise<void> {
  // Read before the load, so that a table's keys start building as soon as it is complete.
  const pending = new Map(await Promise.all(projection.tables.map(async (t) => [t, await keyStatements(readModels, t, schema)] as const)));
  const building: Promise<unknown>[] = [];
  const complete = (tables: string[]) => {
    for (const table of tables) {
      const statements = pending.get(table);
      if (!statements) continue;
      pending.delete(table);
      // One table's statements in order (a key may be needed by what follows it); the tables side by side.
      const built = statements.reduce<Promise<unknown>>((previous, sql) => previous.then(() => readModels.query(sql)), Promise.resolve());
      // A failure surfaces below, once the load is done.
      built.catch(() => undefined);
      building.push(built);
    }
  };
  const scoped = schemaScopedStore(readModels, schema);
  const last = await projection.load!(store, scoped, { ...progress, complete });
  complete([...pending.keys()]);
  await Promise.all(building);
  if (last) await writeCheckpoint(scoped, projection.name, last);
}

/** One transaction: the rebuilt tables replace the live ones, and the checkpoint comes with them. */
async function swapIn(readModels: ReadModelStore, projection: RebuildableProjection, schema: string): Promise<string | null> {
  return readModels.transaction(async (tx) => {
    for (const table of projection.tables) {
      await tx.query(`DROP TABLE public.${table}`);
      await tx.query(`ALTER TABLE ${schema}.${table} SET SCHEMA public`);
    }
    const [row] = await tx.query<{ position: string }>(`SELECT position FROM ${schema}.projection_checkpoints WHERE projection = $1`, [projection.name]);
    if (row) {
      await tx.query(
        `INSERT INTO public.projection_checkpoints (projection, position, updated_at) VALUES ($1, $2, now())
         ON CONFLICT (projection) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
        [projection.name, row.position],
      );
    } else await tx.query('DELETE FROM public.projection_checkpoints WHERE projection = $1', [projection.name]);
    await tx.query(`DROP SCHEMA ${schema} CASCADE`);
    return row?.position ?? null;
  });
}
