import type { EventStore, Position } from '@arbiter/event-store';
import type { ReadModelStore, Row } from '@arbiter/read-models';
import { DOMAIN_EVENT_TYPE_PREFIX, archivedTimedEvent } from '../domain-archive';
import { BatchFold, insertObjects, recordFulfilmentResults } from '../memory-batch';

/** Append-only rows written per load, once this many have been folded. */
const LOAD_EVERY = 20_000;

/**
 * Customer memory from position zero, loaded in bulk into empty tables (no keys or indexes yet;
 * the rebuild adds them after): the whole archive is folded as one batch, so its effect is the
 * one the live projection's fold gives, and the engine only appends rows. The append-only
 * tables (timeline, payments, usage, the event ids seen) are written as the fold goes, while the
 * next events are read; the keyed state (customers, orders, usage totals, inventory, disputes)
 * stays in memory until the end — about one small object per order and per customer.
 *
 * Returns the position of the last event read: the rebuilt projection's checkpoint.
 */
export async function loadCustomerMemory(store: EventStore, readModels: ReadModelStore, progress?: { every: number; onBatch: (events: number, last: Position) => void }): Promise<Position | null> {
  const fold = new BatchFold();
  const seen = new Set<string>();
  let fresh: string[] = [];
  let folded = 0;
  let reported = 0;
  let last: Position | null = null;
  // One load in flight while the next rows are folded; its failure surfaces at the next wait.
  let loading: Promise<unknown> = Promise.resolve();
  const load = async (tables: Record<string, Row[]>) => {
    await loading;
    const ids = fresh.map((id) => [id]);
    fresh = [];
    loading = Promise.all([readModels.insertRows('seen_events', ['event_id'], ids), ...Object.entries(tables).map(([table, rows]) => insertObjects(readModels, table, rows))]);
    loading.catch(() => undefined);
  };

  for await (const stored of store.readAll({ after: 'start', filter: { eventTypePrefixes: [DOMAIN_EVENT_TYPE_PREFIX] } })) {
    const item = archivedTimedEvent(stored);
    last = stored.position;
    // Producers may send an event twice (a retried publish): memory learns from each event id once.
    if (!seen.has(item.event.id)) {
      seen.add(item.event.id);
      fresh.push(item.event.id);
      fold.add(item);
      if (++folded % LOAD_EVERY === 0) await load(fold.takeHistories());
    }
    if (++reported === progress?.every) {
      progress.onBatch(reported, last);
      reported = 0;
    }
  }
  await load(fold.rowsForEmptyMemory());
  await loading;
  await recordFulfilmentResults(readModels, fold.fulfilmentResults());
  if (last && reported > 0) progress?.onBatch(reported, last);
  return last;
}
