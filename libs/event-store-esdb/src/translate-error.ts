import { ErrorType, convertToCommandError } from '@eventstore/db-client';
import {
  ExpectedRevision, StoreUnavailableError, StreamDeletedError, StreamNotFoundError, WrongExpectedVersionError,
} from '@arbiter/event-store';

interface ClientError {
  type?: string;
  message?: string;
  actualVersion?: bigint | 'no_stream';
  code?: string;
}

/** The client's failures that say "not now" rather than "no": the call may be retried. */
const UNAVAILABLE = new Set<string>([ErrorType.UNAVAILABLE, ErrorType.DEADLINE_EXCEEDED, ErrorType.TIMEOUT, ErrorType.NOT_LEADER]);

/** Some failures (the first call's server-features probe) reach us as raw gRPC errors. */
function asClientError(error: unknown): ClientError {
  if (error === null || typeof error !== 'object') return {};
  return convertToCommandError(error as Error) as ClientError;
}

export function isUnavailable(error: unknown): boolean {
  const { type, code } = asClientError(error);
  return (type !== undefined && (UNAVAILABLE.has(type) || type === ErrorType.CANCELLED)) || code === 'ERR_STREAM_PREMATURE_CLOSE';
}

/** The client's typed errors as the port's, so callers match on one set of classes and codes. */
export function translateError(error: unknown, stream: string, expected: ExpectedRevision = 'any'): unknown {
  const e = asClientError(error);
  switch (e.type) {
    case ErrorType.WRONG_EXPECTED_VERSION:
      return new WrongExpectedVersionError(stream, expected, e.actualVersion ?? 'no_stream');
    case ErrorType.STREAM_NOT_FOUND:
      return new StreamNotFoundError(stream);
    case ErrorType.STREAM_DELETED:
      return new StreamDeletedError(stream);
  }
  if (e.type && UNAVAILABLE.has(e.type)) return new StoreUnavailableError(`EventStoreDB is unavailable: ${e.message ?? e.type}`);
  return error;
}
