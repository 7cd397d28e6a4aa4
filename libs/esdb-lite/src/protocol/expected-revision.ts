import type { ExpectedRevision } from '@arbiter/event-store';

/**
 * The expected revision of Append, BatchAppend, Delete and Tombstone options: every message
 * has the same oneof with its own field numbers, so it is read through the accessors.
 */
interface ExpectedRevisionOptions {
  hasNoStream(): boolean;
  hasAny(): boolean;
  hasStreamExists(): boolean;
}

export function expectedRevision(options: ExpectedRevisionOptions, exact: () => string | undefined): ExpectedRevision {
  if (options.hasNoStream()) return 'no_stream';
  if (options.hasAny()) return 'any';
  if (options.hasStreamExists()) return 'stream_exists';
  const revision = exact();
  if (revision === undefined) throw new TypeError('an expected revision is required');
  return BigInt(revision);
}

/** EventStoreDB's numbers for the named expectations, as its error metadata carries them. */
export function expectedVersionNumber(expected: ExpectedRevision): string {
  if (typeof expected === 'bigint') return expected.toString(10);
  return { no_stream: '-1', any: '-2', stream_exists: '-4' }[expected];
}
