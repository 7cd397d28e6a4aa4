import { ExpectedRevision, StreamDeletedError, WrongExpectedVersionError } from '@arbiter/event-store';
import { STREAM_STATE } from './schema';

export interface StreamRow {
  /** The last revision ever written, -1 when none was. */
  revision: bigint;
  /** The first revision a read shows: the one after the last, once a soft-deleted stream is recreated. */
  truncateBefore: bigint;
  state: number;
}

export const NO_STREAM_ROW: StreamRow = { revision: -1n, truncateBefore: 0n, state: STREAM_STATE.live };

/**
 * EventStoreDB's commit check for appends and deletes: a tombstone refuses everything; a
 * soft-deleted stream keeps its last revision, so that revision (or `no_stream`, or `any`)
 * recreates it, while `stream_exists` is refused as deleted.
 */
export function checkExpectedRevision(stream: string, row: StreamRow, expected: ExpectedRevision): void {
  if (row.state === STREAM_STATE.tombstoned) throw new StreamDeletedError(stream);
  const softDeleted = row.state === STREAM_STATE.softDeleted;
  if (expected === 'stream_exists' && softDeleted) throw new StreamDeletedError(stream);
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && (row.revision === -1n || softDeleted)) ||
    (expected === 'stream_exists' && row.revision >= 0n) ||
    (typeof expected === 'bigint' && expected === row.revision);
  if (!ok) throw new WrongExpectedVersionError(stream, expected, row.revision < 0n ? 'no_stream' : row.revision);
}
