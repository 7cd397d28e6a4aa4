import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EventStore } from '@arbiter/event-store';
import { EsdbEventStore } from '@arbiter/event-store-esdb';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';

/** The ledger to audit could not be opened: nothing was verified. */
export class LedgerSourceError extends Error {
  readonly code = 'ledger-source';
}

/**
 * The event store an auditor reads: a data directory's embedded store, or EventStoreDB. Only
 * read through the EventStore port, so both are verified by the same code.
 */
export function openLedgerStore(source: { data: string } | { esdb: string }): EventStore {
  if ('esdb' in source) {
    try {
      return EsdbEventStore.connect(source.esdb);
    } catch (e) {
      throw new LedgerSourceError(`cannot use ${source.esdb}: ${(e as Error).message}`);
    }
  }
  const file = join(resolve(source.data), 'events.db');
  if (!existsSync(file)) throw new LedgerSourceError(`${source.data} holds no event store (no events.db)`);
  return new SqliteEventStore(file);
}
