import type { EventStore, Position } from '@arbiter/event-store';
import type { ReadModelStore } from '@arbiter/read-models';
import { LEDGER_PROJECTION, MEMORY_PROJECTION, ProjectionRunOptions, customerMemoryProjection, ledgerProjection } from '../projectors';
import type { StoreProjectionRunner } from '../store-projection-runner';
import { loadCustomerMemory } from './memory-load';

/** A projection that can be rebuilt from position zero: the tables it owns, and how to run it. */
export interface RebuildableProjection {
  name: string;
  description: string;
  tables: string[];
  runner(store: EventStore, readModels: ReadModelStore, options: ProjectionRunOptions): StoreProjectionRunner;
  /**
   * A bulk load from position zero into the projection's tables, empty and without keys or
   * indexes, with the effect `runner` would have had; resolves with the last position read.
   * Projections without one are rebuilt by their runner, into tables with their indexes.
   */
  load?(store: EventStore, readModels: ReadModelStore, context: BulkLoadContext): Promise<Position | null>;
}

export interface BulkLoadContext {
  /** Events per batch: the load writes what it can and calls `onBatch` after each, and once at the end for the rest. */
  every: number;
  onBatch(events: number, last: Position): void;
  /**
   * The load has written all of these tables' rows: their keys and indexes can be built now,
   * on the engine, while the load goes on with the others.
   */
  complete(tables: string[]): void;
}

export const REBUILDABLE_PROJECTIONS: RebuildableProjection[] = [
  {
    name: MEMORY_PROJECTION,
    description: 'customer memory, from the archived domain events',
    tables: ['customers', 'customer_orders', 'customer_events', 'payment_history', 'usage_history', 'usage_totals', 'dispute_history', 'inventory_levels', 'seen_events'],
    runner: (store, readModels, options) => customerMemoryProjection(store, { readModels }, options),
    load: loadCustomerMemory,
  },
  {
    name: LEDGER_PROJECTION,
    description: 'audit views (decisions, chain heads), from the ledger records',
    tables: ['decisions', 'chain_heads'],
    runner: (store, readModels, options) => ledgerProjection(store, { readModels }, options),
  },
];

export function rebuildableProjection(name: string): RebuildableProjection | undefined {
  return REBUILDABLE_PROJECTIONS.find((p) => p.name === name);
}
