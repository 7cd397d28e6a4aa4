import type { EventStore, StoredEvent } from '@arbiter/event-store';
import { LEDGER_EVENT_TYPE_PREFIX } from './bodies';
import type { LeafText } from './verify';

/** Every ledger record in the store, in global commit order: the leaves of the log. */
export async function* readLedgerLeaves(store: EventStore): AsyncIterable<LeafText & { event: StoredEvent }> {
  let leaf = 0;
  for await (const event of store.readAll({ filter: { eventTypePrefixes: [LEDGER_EVENT_TYPE_PREFIX] } })) {
    yield { leaf: leaf++, text: Buffer.from(event.data).toString('utf8'), event };
  }
}

export async function collectLedgerLeaves(store: EventStore): Promise<LeafText[]> {
  const leaves: LeafText[] = [];
  for await (const { leaf, text } of readLedgerLeaves(store)) leaves.push({ leaf, text });
  return leaves;
}
