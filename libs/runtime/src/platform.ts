import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Bus, withTopicPrefix } from '@arbiter/bus';
import { KafkaBus } from '@arbiter/bus-kafka';
import { SqliteBus } from '@arbiter/bus-sqlite';
import { Clock, systemClock } from '@arbiter/clock';
import type { EventStore } from '@arbiter/event-store';
import { EsdbEventStore } from '@arbiter/event-store-esdb';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import { FileKeyStore } from '@arbiter/key-store-file';
import type { KeyStore } from '@arbiter/ledger';
import { memoryMigrations } from '@arbiter/memory';
import type { ReadModelStore } from '@arbiter/read-models';
import { PgliteReadModelStore } from '@arbiter/read-models-pglite';
import { PostgresReadModelStore } from '@arbiter/read-models-postgres';
import { Logger, Metrics } from '@arbiter/telemetry';
import { ArbiterConfig, ConfigError } from './config';
import { lockDataDir } from './data-dir-lock';

/** The event store a service writes: EventStoreDB when a connection string is given, else its data directory's embedded store. */
export function openEventStore(dataDir: string, esdbConnectionString?: string): EventStore {
  if (!esdbConnectionString) return new SqliteEventStore(join(dataDir, 'events.db'));
  try {
    return EsdbEventStore.connect(esdbConnectionString);
  } catch (e) {
    throw new ConfigError(`ESDB_CONNECTION_STRING: ${(e as Error).message}`);
  }
}

/** Where a connection string points, without the credentials it may carry. */
export function redactedEndpoint(connectionString: string): string {
  return connectionString.replace(/\/\/[^@/]*@/, '//').replace(/\?.*$/, '');
}

/**
 * The adapters behind every port, chosen by configuration: embedded engines on disk by
 * default; EventStoreDB when ESDB_CONNECTION_STRING is set, Kafka when KAFKA_BROKERS is,
 * PostgreSQL when DATABASE_URL is.
 */
export class Platform {
  private constructor(
    readonly config: ArbiterConfig,
    readonly dataDir: string,
    readonly store: EventStore,
    readonly bus: Bus,
    readonly readModels: ReadModelStore,
    readonly keys: KeyStore,
    readonly clock: Clock,
    readonly metrics: Metrics,
    readonly logger: Logger,
    readonly adapters: { store: string; bus: string; readModels: string },
    private readonly unlock: () => void,
  ) {}

  static async open(config: ArbiterConfig, logger: Logger, clock: Clock = systemClock): Promise<Platform> {
    const dataDir = resolve(config.dataDir);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const unlock = config.databaseUrl ? () => undefined : lockDataDir(dataDir);
    const store = openEventStore(dataDir, config.esdbConnectionString);
    const bus: Bus = withTopicPrefix(
      config.kafkaBrokers
        ? new KafkaBus({ brokers: config.kafkaBrokers.split(',').map((b) => b.trim()), clientId: `arbiter-${process.pid}` })
        : new SqliteBus(join(dataDir, 'bus.db')),
      config.topicPrefix,
    );
    let readModels: ReadModelStore;
    try {
      readModels = config.databaseUrl ? await PostgresReadModelStore.open(config.databaseUrl) : await PgliteReadModelStore.open(join(dataDir, 'read-models'));
      await readModels.migrate(memoryMigrations);
    } catch (e) {
      await store.close();
      await bus.close();
      unlock();
      throw e;
    }
    const adapters = { store: config.esdbConnectionString ? `EventStoreDB (${redactedEndpoint(config.esdbConnectionString)})` : 'embedded (SQLite)', bus: config.kafkaBrokers ? `Kafka (${config.kafkaBrokers})` : 'in-process (SQLite log)', readModels: config.databaseUrl ? 'PostgreSQL' : 'embedded (PGlite)' };
    return new Platform(config, dataDir, store, bus, readModels, new FileKeyStore(join(dataDir, 'keys')), clock, new Metrics(), logger, adapters, unlock);
  }

  async close(): Promise<void> {
    await this.bus.close();
    await this.readModels.close();
    await this.store.close();
    this.unlock();
  }
}
