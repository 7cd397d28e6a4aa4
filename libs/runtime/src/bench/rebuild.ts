import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { topicOf } from '@arbiter/contracts';
import type { EventStore } from '@arbiter/event-store';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import { MEMORY_PROJECTION, archiveStream, archivedEventOf, memoryMigrations, rebuildProjection, rebuildableProjection } from '@arbiter/memory';
import type { ReadModelStore } from '@arbiter/read-models';
import { PgliteReadModelStore } from '@arbiter/read-models-pglite';
import { PostgresReadModelStore } from '@arbiter/read-models-postgres';
import { Simulator } from '@arbiter/simulator';
import { scratchPostgres } from './scratch-postgres';

export interface RebuildBenchResult {
  bench: 'rebuild';
  projection: string;
  events: number;
  store: 'sqlite';
  embedded: { seconds: number; eventsPerSec: number };
  postgres: { seconds: number; eventsPerSec: number } | { skipped: string };
  eventsPerSec: number;
}

const PARTITIONS = 4;

/** N simulated domain events archived in an embedded store, as the projector would have left them. */
async function archiveSimulatedHistory(store: EventStore, events: number, onProgress?: (done: number) => void): Promise<void> {
  const simulator = new Simulator({ seed: 3 });
  const revisions = new Map<string, bigint>();
  const offsets = new Map<string, number>();
  for (let done = 0; done < events; ) {
    const batch = [...simulator.take(Math.min(5_000, events - done))];
    const byStream = new Map<string, ReturnType<typeof archivedEventOf>[]>();
    for (const event of batch) {
      const topic = topicOf(event.type);
      const partition = [...event.subject].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 0) % PARTITIONS;
      const stream = archiveStream(topic, partition);
      const offset = offsets.get(stream) ?? 0;
      offsets.set(stream, offset + 1);
      byStream.set(stream, [...(byStream.get(stream) ?? []), archivedEventOf(event, { topic, partition, offset: String(offset), timestamp: event.time ?? new Date().toISOString() })]);
    }
    for (const [stream, list] of byStream) {
      const result = await store.append(stream, list, revisions.get(stream) ?? 'no_stream');
      revisions.set(stream, result.nextExpectedRevision);
    }
    done += batch.length;
    onProgress?.(done);
  }
}

async function timedRebuild(store: EventStore, readModels: ReadModelStore, onProgress?: (fraction: number) => void) {
  await readModels.migrate(memoryMigrations);
  const report = await rebuildProjection(store, readModels, rebuildableProjection(MEMORY_PROJECTION)!, { onProgress: (p) => onProgress?.(p.fraction) });
  return { seconds: report.seconds, eventsPerSec: report.eventsPerSec };
}

/**
 * Projection rebuild throughput: customer memory from position zero of the embedded store,
 * into the embedded engine (PGlite) and into PostgreSQL (DATABASE_URL, or the local server),
 * each into fresh tables swapped in at the end, as `arbiter projections rebuild` does.
 */
export async function benchRebuild(events: number, onProgress?: (done: number, total: number) => void): Promise<RebuildBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-bench-rebuild-'));
  const store = new SqliteEventStore(join(dir, 'events.db'), { synchronous: 'NORMAL' });
  const total = events * 3;
  try {
    await archiveSimulatedHistory(store, events, (done) => onProgress?.(done, total));
    const pglite = await PgliteReadModelStore.open(join(dir, 'read-models'));
    const embedded = await timedRebuild(store, pglite, (f) => onProgress?.(events + Math.round(f * events), total)).finally(() => pglite.close());
    const postgres = await rebuildIntoPostgres(store, (f) => onProgress?.(2 * events + Math.round(f * events), total));
    return { bench: 'rebuild', projection: MEMORY_PROJECTION, events, store: 'sqlite', embedded, postgres, eventsPerSec: embedded.eventsPerSec };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function rebuildIntoPostgres(store: EventStore, onProgress: (fraction: number) => void): Promise<RebuildBenchResult['postgres']> {
  const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  // Only an unreachable server skips this half: a server that refuses the scratch database is a fault.
  const probe = new Client({ connectionString: adminUrl });
  try {
    await probe.connect();
  } catch (e) {
    return { skipped: `PostgreSQL is not reachable at ${new URL(adminUrl).host}: ${(e as Error).message}` };
  } finally {
    await probe.end().catch(() => undefined);
  }
  const scratch = await scratchPostgres(adminUrl);
  try {
    const readModels = await PostgresReadModelStore.open(scratch.url);
    return await timedRebuild(store, readModels, onProgress).finally(() => readModels.close());
  } finally {
    await scratch.drop();
  }
}
