import { isUtf8 } from 'node:buffer';
import { EventStore, StreamNotFoundError, exactData, readAllText } from '@arbiter/event-store';
import { KEYS_CHAIN, LEDGER_EVENT_TYPE_PREFIX } from '../bodies';
import { CHECKPOINTS_STREAM } from '../checkpoint/checkpoint';
import type { LedgerSource, SourceLeaf, SourceProblem } from './source';

async function* readStreamIfAny(store: EventStore, stream: string) {
  try {
    for await (const event of store.readStream(stream)) yield event;
  } catch (e) {
    if (!(e instanceof StreamNotFoundError)) throw e;
  }
}

/**
 * An event store as the verifier sees it through the port: chain `keys`, the checkpoint stream,
 * and every ledger record in the store's global commit order. Works the same on the embedded
 * store and on EventStoreDB.
 */
export function storeSource(store: EventStore): LedgerSource {
  const problems: SourceProblem[] = [];
  let head = 0n;
  let at = 0n;
  return {
    kind: 'log',
    ledger: async () => undefined,
    problems: () => problems,
    progress: () => (head === 0n ? 0 : Math.min(1, Number(at) / Number(head))),
    async checkpoints() {
      const notes: string[] = [];
      for await (const event of readStreamIfAny(store, CHECKPOINTS_STREAM)) {
        if (isUtf8(event.data)) notes.push(Buffer.from(event.data).toString('utf8'));
        else problems.push({ message: `checkpoint event ${event.revision} is not UTF-8 text` });
      }
      return notes;
    },
    async *keyRecords() {
      for await (const event of readStreamIfAny(store, KEYS_CHAIN)) yield event.data;
    },
    async *leaves(): AsyncIterable<SourceLeaf> {
      for await (const batch of this.leafBatches(1000)) yield* batch;
    },
    async *leafBatches(size: number): AsyncIterable<SourceLeaf[]> {
      head = (await store.headPosition())?.commit ?? 0n;
      let leaf = 0;
      let batch: SourceLeaf[] = [];
      // As text: the embedded store keeps records as TEXT, and the checker copies text into its batch without a Buffer per record.
      for await (const page of readAllText(store, { filter: { eventTypePrefixes: [LEDGER_EVENT_TYPE_PREFIX] } })) {
        for (const event of page) {
          batch.push({ leaf: leaf++, data: exactData(event), stream: event.stream, revision: event.revision });
          if (batch.length < size) continue;
          at = event.position.commit;
          yield batch;
          batch = [];
        }
      }
      if (batch.length) yield batch;
      at = head;
    },
  };
}
