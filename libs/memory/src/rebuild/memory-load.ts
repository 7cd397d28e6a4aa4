import { setImmediate } from 'node:timers/promises';
import { EventStore, Position, readAllText } from '@arbiter/event-store';
import type { ReadModelStore, Row } from '@arbiter/read-models';
import { DOMAIN_EVENT_TYPE_PREFIX, archivedTimedTextEvent } from '../domain-archive';
import { BatchFold, HISTORY_TABLES, insertObjects, recordFulfilmentResults } from '../memory-batch';
import type { BulkLoadContext } from './catalog';

/**
 * Customer memory from position zero, loaded in bulk into empty tables (no keys or indexes yet;
 * the rebuild adds them after): the whole archive is folded as one batch, so its effect is the
 * one the live projection's fold gives, and the engine only appends rows. Rows no later event can
 * change (timeline, payments, usage, the event ids seen, orders placed and delivered) are written
 * after each batch of events read, while the next batch is; once the histories are all in, their keys are
 * built while the rest of the keyed state (customers, open orders, usage totals, inventory,
 * disputes), kept in memory until the end, is put into rows and written.
 *
 * Returns the position of the last event read: the rebuilt projection's checkpoint.
 */
export async function loadCustomerMemory(store: EventStore, readModels: ReadModelStore, context: BulkLoadContext): Promise<Position | null> {
  const fold = new BatchFold();
  const seen = new Set<string>();
  let fresh: string[] = [];
  let read = 0;
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

  for await (const page of readAllText(store, { after: 'start', filter: { eventTypePrefixes: [DOMAIN_EVENT_TYPE_PREFIX] } })) {
    for (const stored of page) {
      const item = archivedTimedTextEvent(stored);
      // Producers may send an event twice (a retried publish): memory learns from each event id once.
      if (!seen.has(item.event.id)) {
        seen.add(item.event.id);
        fresh.push(item.event.id);
        fold.add(item);
      }
    }
    last = page[page.length - 1].position;
    read += page.length;
    if (read >= context.every) {
      await load(finalRows(fold));
      context.onBatch(read, last);
      read = 0;
    }
  }
  await load(finalRows(fold));
  await loading;
  context.complete(['seen_events', ...HISTORY_TABLES]);
  // A turn of the event loop, so that building those keys reaches the engine before the keyed
  // state is put into rows here (half a second of this thread for 200,000 events).
  await setImmediate();
  await load(fold.keyedRowsForEmptyMemory());
  await loading;
  await recordFulfilmentResults(readModels, fold.fulfilmentResults());
  if (last && read > 0) context.onBatch(read, last);
  return last;
}

/** The rows no later event can change: the histories, and the orders placed and delivered. */
function finalRows(fold: BatchFold): Record<string, Row[]> {
  return { ...fold.takeHistories(), customer_orders: fold.takeSettledOrders() };
}
