import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withTopicPrefix } from '@arbiter/bus';
import { KafkaBus } from '@arbiter/bus-kafka';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import { DomainProjector, memoryMigrations, projectorGroup } from '@arbiter/memory';
import type { ReadModelStore } from '@arbiter/read-models';
import { PgliteReadModelStore } from '@arbiter/read-models-pglite';
import { PostgresReadModelStore } from '@arbiter/read-models-postgres';
import { Simulator, publishDomainEvents } from '@arbiter/simulator';
import { scratchPostgres } from './scratch-postgres';

export interface IngestResult {
  bench: 'ingest';
  events: number;
  seconds: number;
  eventsPerSec: number;
  bus: string;
  store: string;
  readModels: string;
  cpuShare: number;
}

/**
 * Domain events from a real Kafka broker into customer memory: N simulated events are
 * published first, then the projector is started and timed until every event is archived in
 * the embedded event store and folded into memory — in the embedded engine, or in a scratch
 * database on the PostgreSQL server `databaseUrl` names.
 */
export async function benchIngest(brokers: string[], events: number, onProgress?: (done: number) => void, databaseUrl?: string): Promise<IngestResult> {
  const run = randomUUID().slice(0, 8);
  const bus = withTopicPrefix(new KafkaBus({ brokers, clientId: `bench-${run}` }), `bench-${run}.`);
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-bench-'));
  const scratch = databaseUrl ? await scratchPostgres(databaseUrl) : null;
  const readModels: ReadModelStore = scratch ? await PostgresReadModelStore.open(scratch.url) : await PgliteReadModelStore.open(join(dir, 'read-models'));
  const store = new SqliteEventStore(join(dir, 'events.db'));
  try {
    await readModels.migrate(memoryMigrations);
    const simulator = new Simulator({ seed: 1 });
    for (let i = 0; i < events; i += 5_000) await publishDomainEvents(bus, [...simulator.take(Math.min(5_000, events - i))]);
    const projector = new DomainProjector(bus, store, { readModels }, projectorGroup(`bench-${run}`));
    const started = performance.now();
    const cpu = process.cpuUsage();
    await projector.start();
    for (;;) {
      const lag = Number(await projector.lag());
      onProgress?.(events - lag);
      if (lag === 0 && (await projector.caughtUp())) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    await projector.stop();
    return { bench: 'ingest', events, seconds: Number(seconds.toFixed(3)), eventsPerSec: Math.round(events / seconds), bus: 'kafka', store: 'sqlite', readModels: scratch ? 'postgresql' : 'pglite',
      // Share of one core this process used: far below 1 means it waited (on the broker, on disk syncs).
      cpuShare: Number(((used.user + used.system) / 1e6 / seconds).toFixed(2)) };
  } finally {
    await bus.close();
    await readModels.close();
    await store.close();
    await scratch?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
