import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type { EventStore } from '@arbiter/event-store';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import { DeleteReq, DeleteResp, TombstoneReq, TombstoneResp } from '@eventstore/db-client/generated/streams_pb';
import { toServiceError } from '../protocol/errors';
import { expectedRevision } from '../protocol/expected-revision';
import { streamName } from '../protocol/identifiers';

type DeleteOptions = DeleteReq.Options | TombstoneReq.Options;

function target(options: DeleteOptions | undefined) {
  if (!options) throw new TypeError('a delete needs options');
  return {
    stream: streamName(options.getStreamIdentifier()),
    expected: expectedRevision(options, () => (options.hasRevision() ? options.getRevision() : undefined)),
  };
}

/** Streams.Delete, the soft delete. No event is written, so there is no position to give back. */
export function deleteHandler(store: EventStore) {
  return (call: ServerUnaryCall<DeleteReq, DeleteResp>, callback: sendUnaryData<DeleteResp>): void => {
    Promise.resolve()
      .then(() => target(call.request.getOptions()))
      .then(({ stream, expected }) => store.deleteStream(stream, expected))
      .then(
        () => callback(null, new DeleteResp().setNoPosition(new Empty())),
        (error) => callback(toServiceError(error)),
      );
  };
}

export function tombstoneHandler(store: EventStore) {
  return (call: ServerUnaryCall<TombstoneReq, TombstoneResp>, callback: sendUnaryData<TombstoneResp>): void => {
    Promise.resolve()
      .then(() => target(call.request.getOptions()))
      .then(({ stream, expected }) => store.tombstoneStream(stream, expected))
      .then(
        () => callback(null, new TombstoneResp().setNoPosition(new Empty())),
        (error) => callback(toServiceError(error)),
      );
  };
}
