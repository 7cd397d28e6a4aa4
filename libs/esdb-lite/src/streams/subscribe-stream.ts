import { randomUUID } from 'node:crypto';
import { EventStore, StoreUnavailableError, StoredEvent, StreamNotFoundError } from '@arbiter/event-store';
import type { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import type { CallWriter } from '../protocol/call-writer';
import { UuidFormat, streamName } from '../protocol/identifiers';
import { caughtUpResponse, confirmationResponse, eventResponse } from '../protocol/recorded-event';
import type { LiveSubscriptions } from './live-subscriptions';

/**
 * A catch-up subscription to one stream: its events after the start revision (none yet is
 * fine: it waits for the stream to appear), "caught up", then live events. The live part
 * follows $all from the head taken before the history was read, so nothing falls between the
 * two; revisions already sent are skipped.
 */
export async function subscribeToStream(
  store: EventStore,
  subscriptions: LiveSubscriptions,
  options: ReadReq.Options,
  writer: CallWriter<ReadResp>,
  uuidFormat: UuidFormat,
): Promise<void> {
  const streamOptions = options.getStream()!;
  const stream = streamName(streamOptions.getStreamIdentifier());
  const head = await store.headPosition();
  await writer.write(confirmationResponse(randomUUID()));
  let last = -1n;
  const send = async (event: StoredEvent) => {
    last = event.revision;
    await writer.write(eventResponse(event, uuidFormat));
  };
  if (streamOptions.hasEnd()) last = await lastRevision(store, stream);
  else {
    const from = streamOptions.hasRevision() ? BigInt(streamOptions.getRevision()) + 1n : 'start';
    if (typeof from === 'bigint') last = from - 1n;
    await forEachEvent(store, stream, from, send);
  }
  await writer.write(caughtUpResponse());
  const subscription = subscriptions.subscribe({ after: head ?? 'start', filter: { streamPrefixes: [stream] } });
  writer.onGone(() => void subscription.close());
  try {
    for await (const event of subscription) {
      if (writer.closed) return;
      if (event.stream === stream && event.revision > last) await send(event);
    }
  } finally {
    await subscription.close();
  }
  if (!writer.closed) throw new StoreUnavailableError('esdb-lite is shutting down');
}

async function forEachEvent(store: EventStore, stream: string, from: bigint | 'start', action: (e: StoredEvent) => Promise<void>): Promise<void> {
  try {
    for await (const event of store.readStream(stream, { from })) await action(event);
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
}

async function lastRevision(store: EventStore, stream: string): Promise<bigint> {
  try {
    for await (const event of store.readStream(stream, { direction: 'backwards', from: 'end', maxCount: 1 })) return event.revision;
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  return -1n;
}
