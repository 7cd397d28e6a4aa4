import { EventStore, StreamNotFoundError } from '@arbiter/event-store';
import { CHECKPOINTS_STREAM, CHECKPOINT_EVENT_TYPE, Checkpoint, parseCheckpoint, rootBase64, uuidV5 } from '@arbiter/ledger';

export interface StoredCheckpoint {
  checkpoint: Checkpoint;
  revision: bigint;
}

/** The newest checkpoint in stream `arbiter-checkpoints`, or null when there is none yet. */
export async function latestCheckpoint(store: EventStore): Promise<StoredCheckpoint | null> {
  try {
    for await (const event of store.readStream(CHECKPOINTS_STREAM, { direction: 'backwards', from: 'end', maxCount: 1 })) {
      return { checkpoint: parseCheckpoint(Buffer.from(event.data).toString('utf8')), revision: event.revision };
    }
  } catch (e) {
    if (!(e instanceof StreamNotFoundError)) throw e;
  }
  return null;
}

/** Appends a checkpoint after `revision` (exactly: one notary writes this stream); its event id makes a retry idempotent. */
export async function appendCheckpoint(store: EventStore, checkpoint: Checkpoint, revision: bigint | null): Promise<bigint> {
  const id = uuidV5(`checkpoint\n${checkpoint.origin}\n${checkpoint.size}\n${rootBase64(checkpoint.root)}`);
  const result = await store.append(CHECKPOINTS_STREAM, [{ id, type: CHECKPOINT_EVENT_TYPE, data: Buffer.from(checkpoint.note, 'utf8') }], revision === null ? 'no_stream' : revision);
  return result.nextExpectedRevision;
}
