import { Metadata, StatusObject, status } from '@grpc/grpc-js';
import { Any } from 'google-protobuf/google/protobuf/any_pb';
import { Code } from '@eventstore/db-client/generated/code_pb';
import { StreamDeleted, WrongExpectedVersion } from '@eventstore/db-client/generated/shared_pb';
import { Status } from '@eventstore/db-client/generated/status_pb';
import { Empty } from 'google-protobuf/google/protobuf/empty_pb';
import { EventStoreError, StreamDeletedError, StreamNotFoundError, WrongExpectedVersionError } from '@arbiter/event-store';
import { expectedVersionNumber } from './expected-revision';
import { streamIdentifier } from './identifiers';

export type ServiceError = Partial<StatusObject> & { code: status; details: string };

/**
 * The official clients read a failed call's `exception` trailer (and `stream-name`,
 * `expected-version`, `actual-version`) to raise their typed errors, as EventStoreDB sends them.
 */
export function toServiceError(error: unknown): ServiceError {
  const metadata = new Metadata();
  if (error instanceof WrongExpectedVersionError) {
    metadata.set('exception', 'wrong-expected-version');
    metadata.set('stream-name', error.stream);
    metadata.set('expected-version', expectedVersionNumber(error.expected));
    if (error.actual !== 'no_stream') metadata.set('actual-version', error.actual.toString(10));
    return { code: status.FAILED_PRECONDITION, details: error.message, metadata };
  }
  if (error instanceof StreamDeletedError) {
    metadata.set('exception', 'stream-deleted');
    metadata.set('stream-name', error.stream);
    return { code: status.FAILED_PRECONDITION, details: error.message, metadata };
  }
  if (error instanceof StreamNotFoundError) {
    metadata.set('exception', 'stream-not-found');
    metadata.set('stream-name', error.stream);
    return { code: status.NOT_FOUND, details: error.message, metadata };
  }
  if (error instanceof TypeError) return { code: status.INVALID_ARGUMENT, details: error.message };
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof EventStoreError && error.code === 'store-unavailable' ? status.UNAVAILABLE : status.INTERNAL;
  return { code, details: message };
}

/** BatchAppend answers a failed append in-band: a google.rpc.Status whose details the client unpacks. */
export function toBatchStatus(error: unknown): Status {
  const result = new Status();
  const details = new Any();
  if (error instanceof WrongExpectedVersionError) {
    details.pack(wrongExpectedVersionDetails(error).serializeBinary(), 'event_store.client.WrongExpectedVersion');
    return result.setCode(Code.FAILED_PRECONDITION).setMessage(error.message).setDetails(details);
  }
  if (error instanceof StreamDeletedError) {
    details.pack(new StreamDeleted().setStreamIdentifier(streamIdentifier(error.stream)).serializeBinary(), 'event_store.client.StreamDeleted');
    return result.setCode(Code.FAILED_PRECONDITION).setMessage(error.message).setDetails(details);
  }
  const message = error instanceof Error ? error.message : String(error);
  // A type the client does not know makes it keep the message ("Could not recognize …").
  details.pack(new Empty().serializeBinary(), 'esdb_lite.Error');
  return result.setCode(error instanceof TypeError ? Code.INVALID_ARGUMENT : Code.INTERNAL).setMessage(message).setDetails(details);
}

function wrongExpectedVersionDetails(error: WrongExpectedVersionError): WrongExpectedVersion {
  const details = new WrongExpectedVersion();
  if (error.actual === 'no_stream') details.setCurrentNoStream(new Empty());
  else details.setCurrentStreamRevision(error.actual.toString(10));
  const expected = error.expected;
  if (expected === 'any') details.setExpectedAny(new Empty());
  else if (expected === 'no_stream') details.setExpectedNoStream(new Empty());
  else if (expected === 'stream_exists') details.setExpectedStreamExists(new Empty());
  else details.setExpectedStreamPosition(expected.toString(10));
  return details;
}

export function unimplemented(operation: string): ServiceError {
  return { code: status.UNIMPLEMENTED, details: `esdb-lite does not implement ${operation}; use EventStoreDB for it` };
}
