import type { Position, StoredEvent } from '@arbiter/event-store';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import { ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { UuidFormat, streamIdentifier, uuidFromString } from './identifiers';
import { ticks } from './positions';

export function eventResponse(event: StoredEvent, uuidFormat: UuidFormat): ReadResp {
  const commit = event.position.commit.toString(10);
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(uuidFromString(event.id, uuidFormat))
    .setStreamIdentifier(streamIdentifier(event.stream))
    .setStreamRevision(event.revision.toString(10))
    .setCommitPosition(commit)
    .setPreparePosition(event.position.prepare.toString(10))
    .setData(event.data)
    .setCustomMetadata(event.metadata ?? new Uint8Array());
  recorded.getMetadataMap().set('type', event.type).set('content-type', event.contentType).set('created', ticks(event.created));
  return new ReadResp().setEvent(new ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(commit));
}

export function confirmationResponse(subscriptionId: string): ReadResp {
  return new ReadResp().setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId(subscriptionId));
}

export function caughtUpResponse(): ReadResp {
  return new ReadResp().setCaughtUp(new ReadResp.CaughtUp());
}

export function checkpointResponse(position: Position): ReadResp {
  return new ReadResp().setCheckpoint(
    new ReadResp.Checkpoint().setCommitPosition(position.commit.toString(10)).setPreparePosition(position.prepare.toString(10)),
  );
}

export function streamNotFoundResponse(stream: string): ReadResp {
  return new ReadResp().setStreamNotFound(new ReadResp.StreamNotFound().setStreamIdentifier(streamIdentifier(stream)));
}

export const EMPTY = new Empty();
