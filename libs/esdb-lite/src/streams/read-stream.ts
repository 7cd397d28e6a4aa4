import { EventStore, StreamNotFoundError } from '@arbiter/event-store';
import { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import type { CallWriter } from '../protocol/call-writer';
import { UuidFormat, streamName } from '../protocol/identifiers';
import { eventResponse, streamNotFoundResponse } from '../protocol/recorded-event';

export function readCount(options: ReadReq.Options): number {
  const count = BigInt(options.getCount() || '0');
  return count > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(count);
}

export function readDirection(options: ReadReq.Options): 'forwards' | 'backwards' {
  return options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS ? 'backwards' : 'forwards';
}

/** A stream that does not exist (or is soft-deleted) is an answer, not an error: StreamNotFound. */
export async function readStream(store: EventStore, options: ReadReq.Options, writer: CallWriter<ReadResp>, uuidFormat: UuidFormat): Promise<void> {
  const streamOptions = options.getStream()!;
  const stream = streamName(streamOptions.getStreamIdentifier());
  const from = streamOptions.hasRevision() ? BigInt(streamOptions.getRevision()) : streamOptions.hasEnd() ? 'end' : 'start';
  try {
    for await (const event of store.readStream(stream, { from, direction: readDirection(options), maxCount: readCount(options) })) {
      if (writer.closed) return;
      await writer.write(eventResponse(event, uuidFormat));
    }
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
    await writer.write(streamNotFoundResponse(stream));
  }
}
