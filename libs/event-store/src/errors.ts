import type { ExpectedRevision } from './event-store';

export class EventStoreError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The stream was not at the expected revision; nothing was appended. */
export class WrongExpectedVersionError extends EventStoreError {
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    readonly actual: bigint | 'no_stream',
  ) {
    super('wrong-expected-version', `stream "${stream}" is at ${String(actual)}, expected ${String(expected)}`);
  }
}

export class StreamNotFoundError extends EventStoreError {
  constructor(readonly stream: string) {
    super('stream-not-found', `stream "${stream}" does not exist`);
  }
}

export class StreamDeletedError extends EventStoreError {
  constructor(readonly stream: string) {
    super('stream-deleted', `stream "${stream}" is deleted`);
  }
}

/** The store cannot be reached or failed to answer; the operation may be retried. */
export class StoreUnavailableError extends EventStoreError {
  constructor(message: string) {
    super('store-unavailable', message);
  }
}
