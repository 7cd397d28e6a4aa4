import { randomUUID } from 'node:crypto';
import { EventStore, Position, StoreUnavailableError, comparePositions } from '@arbiter/event-store';
import type { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import type { CallWriter } from '../protocol/call-writer';
import type { UuidFormat } from '../protocol/identifiers';
import { positionFrom } from '../protocol/positions';
import { caughtUpResponse, checkpointResponse, confirmationResponse, eventResponse } from '../protocol/recorded-event';
import { parseFilter } from './filter';
import type { LiveSubscriptions } from './live-subscriptions';

/**
 * A catch-up subscription to $all: confirmation, the events after the start point, "caught up"
 * once the head at subscription time is passed, then live events until the client leaves.
 * Filtered, it also sends checkpoints so a client whose filter rarely matches can still save
 * its progress.
 */
export async function subscribeToAll(
  store: EventStore,
  subscriptions: LiveSubscriptions,
  options: ReadReq.Options,
  writer: CallWriter<ReadResp>,
  uuidFormat: UuidFormat,
): Promise<void> {
  const all = options.getAll()!;
  const filter = parseFilter(options);
  const head = await store.headPosition();
  const after: Position | 'start' = all.hasPosition() ? positionFrom(all.getPosition()!) : all.hasEnd() ? (head ?? 'start') : 'start';
  await writer.write(confirmationResponse(randomUUID()));
  let caughtUp = head === null || (after !== 'start' && comparePositions(after, head) >= 0);
  if (caughtUp) await writer.write(caughtUpResponse());
  const subscription = subscriptions.subscribe({ after });
  writer.onGone(() => void subscription.close());
  let scanned = 0;
  try {
    for await (const event of subscription) {
      if (writer.closed) return;
      if (!filter || filter.matches(event)) await writer.write(eventResponse(event, uuidFormat));
      if (filter && ++scanned % filter.checkpointInterval === 0) await writer.write(checkpointResponse(event.position));
      if (!caughtUp && comparePositions(event.position, head!) >= 0) {
        caughtUp = true;
        await writer.write(caughtUpResponse());
      }
    }
  } finally {
    await subscription.close();
  }
  if (!writer.closed) throw new StoreUnavailableError('esdb-lite is shutting down');
}
