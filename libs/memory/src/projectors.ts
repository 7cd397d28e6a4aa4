import type { Bus } from '@arbiter/bus';
import type { EventStore } from '@arbiter/event-store';
import { LEDGER_EVENT_TYPE_PREFIX, readStoredRecord } from '@arbiter/ledger';
import type { ReadModelStore } from '@arbiter/read-models';
import type { Logger, Metrics } from '@arbiter/telemetry';
import { DOMAIN_EVENT_TYPE_PREFIX, DomainArchiver, archivedTimedEvent } from './domain-archive';
import { projectDomainBatch } from './memory-batch';
import { projectLedgerBatch } from './ledger-projection';
import { StoreProjectionOptions, StoreProjectionRunner } from './store-projection-runner';

export const MEMORY_PROJECTION = 'customer-memory';

export function projectorGroup(ledger: string): string {
  return `${ledger}.projector`;
}
export const LEDGER_PROJECTION = 'ledger-audit';

export interface ProjectorDeps {
  readModels: ReadModelStore;
  logger?: Logger;
  metrics?: Metrics;
}

/**
 * Customer memory from the domain topics, in two steps: the archiver keeps every valid domain
 * event in the event store (exactly once), and the memory projection folds the archive into the
 * read models, each batch in one transaction with its checkpoint. Memory is therefore exactly
 * once, in the store's one global order, and can be rebuilt from position zero.
 */
export class DomainProjector {
  readonly archiver: DomainArchiver;
  readonly memory: StoreProjectionRunner;

  constructor(bus: Bus, store: EventStore, deps: ProjectorDeps, group: string) {
    this.archiver = new DomainArchiver(bus, store, group, deps);
    this.memory = customerMemoryProjection(store, deps);
  }

  async start(): Promise<void> {
    await this.archiver.start();
    await this.memory.start();
  }

  async stop(): Promise<void> {
    await this.archiver.stop();
    await this.memory.stop();
  }

  /** Domain events on the bus not archived yet. */
  lag(): Promise<bigint> {
    return this.archiver.lag();
  }

  /** True when memory holds every archived domain event. */
  caughtUp(): Promise<boolean> {
    return this.memory.caughtUp();
  }
}

/** Customer memory from the archived domain events; one process at a time folds them. */
export function customerMemoryProjection(store: EventStore, deps: ProjectorDeps, options: ProjectionRunOptions = {}): StoreProjectionRunner {
  const projected = deps.metrics?.counter('arbiter_projector_events_total', 'Domain events folded into customer memory');
  return new StoreProjectionRunner({
    store,
    readModels: deps.readModels,
    projection: MEMORY_PROJECTION,
    eventTypePrefixes: [DOMAIN_EVENT_TYPE_PREFIX],
    exclusive: options.exclusive ?? true,
    batchSize: options.batchSize ?? 2_000,
    onBatch: options.onBatch,
    logger: deps.logger,
    applyBatch: async (tx, events) => {
      // Producers may send an event twice (a retried publish): memory learns from each event id once.
      const learnt = await projectDomainBatch(tx, events.map(archivedTimedEvent));
      projected?.inc({}, learnt);
    },
  });
}

/** How a store projection runs: batch size, and whether it takes the projection's lease. */
export interface ProjectionRunOptions {
  batchSize?: number;
  /** Default true: one process at a time. A rebuild holds the lease itself and runs without. */
  exclusive?: boolean;
  onBatch?: StoreProjectionOptions['onBatch'];
}

/** The audit views (decisions, chain heads) from every ledger record in the store. */
export function ledgerProjection(store: EventStore, deps: ProjectorDeps, options: ProjectionRunOptions = {}): StoreProjectionRunner {
  return new StoreProjectionRunner({
    store,
    readModels: deps.readModels,
    projection: LEDGER_PROJECTION,
    eventTypePrefixes: [LEDGER_EVENT_TYPE_PREFIX],
    batchSize: options.batchSize ?? 1_000,
    exclusive: options.exclusive ?? true,
    onBatch: options.onBatch,
    logger: deps.logger,
    applyBatch: (tx, events) =>
      projectLedgerBatch(
        tx,
        events.map((event) => {
          const text = Buffer.from(event.data).toString('utf8');
          return { record: readStoredRecord(text), text, position: event.position.commit };
        }),
      ),
  });
}
