/**
 * The event store port: append-only streams with optimistic concurrency, one global commit
 * order, and catch-up subscriptions. Semantics follow EventStoreDB's, so the embedded engine
 * and EventStoreDB are interchangeable behind it.
 */

import { isUtf8 } from 'node:buffer';

/** `any`: no check; `no_stream`: the stream must not exist; `stream_exists`; or the exact last revision. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

/**
 * How an event's data is encoded. EventStoreDB keeps it with the event: JSON data is readable
 * by its UI and projections, and clients hand it back parsed, so only its value is kept, not
 * its bytes. Binary data comes back byte for byte.
 */
export type ContentType = 'application/json' | 'application/octet-stream';

export interface NewEvent {
  /** UUID; re-appending the same ids at the same place is idempotent. */
  id: string;
  type: string;
  data: Uint8Array;
  metadata?: Uint8Array;
  /** Default `application/octet-stream`. */
  contentType?: ContentType;
}

/** Global commit order. The embedded engine uses one number for both parts. */
export interface Position {
  commit: bigint;
  prepare: bigint;
}

export interface StoredEvent {
  id: string;
  stream: string;
  revision: bigint;
  position: Position;
  type: string;
  data: Uint8Array;
  metadata: Uint8Array | null;
  contentType: ContentType;
  created: Date;
}

/** An event of $all as bulk readers take it: its data and metadata decoded as UTF-8 text. */
export interface TextEvent {
  id: string;
  stream: string;
  revision: bigint;
  type: string;
  position: Position;
  /** The data as UTF-8 text: exactly its bytes when they are valid UTF-8 (JSON always is). */
  data: string;
  /** Only where the data is not valid UTF-8 (and `data` a lossy reading of it): the bytes themselves. */
  dataBytes?: Uint8Array;
  metadata: string | null;
}

/** A text event's data exactly as stored: the text where that is exact, else the bytes. */
export function exactData(event: TextEvent): string | Uint8Array {
  return event.dataBytes ?? event.data;
}

export interface AppendResult {
  nextExpectedRevision: bigint;
  position: Position;
}

export interface ReadStreamOptions {
  /** First revision to read (or, backwards, the last); default the start (or the end). */
  from?: bigint | 'start' | 'end';
  direction?: 'forwards' | 'backwards';
  maxCount?: number;
}

export interface EventFilter {
  eventTypePrefixes?: string[];
  streamPrefixes?: string[];
}

export interface ReadAllOptions {
  /** Read events strictly after this position; default the start. */
  after?: Position | 'start';
  direction?: 'forwards' | 'backwards';
  maxCount?: number;
  filter?: EventFilter;
}

export interface SubscribeAllOptions {
  /** Deliver events strictly after this position (a checkpoint); default the start. */
  after?: Position | 'start';
  filter?: EventFilter;
}

/** History first, then live events, in commit order, until closed. */
export interface Subscription extends AsyncIterable<StoredEvent> {
  close(): Promise<void>;
}

export interface EventStore {
  /** Throws WrongExpectedVersionError, or StreamDeletedError once the stream is tombstoned. */
  append(stream: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;
  /**
   * Throws StreamNotFoundError (when iterated) if the stream does not exist or is soft-deleted,
   * StreamDeletedError if it is tombstoned.
   */
  readStream(stream: string, options?: ReadStreamOptions): AsyncIterable<StoredEvent>;
  readAll(options?: ReadAllOptions): AsyncIterable<StoredEvent>;
  /**
   * Optional: the events `readAll` reads, a page at a time, with data and metadata as text. For
   * readers that decode every event (rebuilds): one await per page, not per event, and no bytes
   * in between where the store keeps text. Read through `readAllText`, which falls back to
   * `readAll` for stores without it.
   */
  readAllTextPages?(options?: ReadAllOptions): AsyncIterable<TextEvent[]>;
  subscribeAll(options?: SubscribeAllOptions): Subscription;
  /** The position of the last committed event, or null when the store is empty. */
  headPosition(): Promise<Position | null>;
  /**
   * Soft delete: reads raise StreamNotFoundError until an append recreates the stream, whose
   * revisions then continue after the last one (the older events stay hidden). `no_stream` and
   * the last revision both recreate it; `stream_exists` is refused with StreamDeletedError.
   * The events stay in $all.
   */
  deleteStream(stream: string, expected: ExpectedRevision): Promise<void>;
  /** Hard delete, for good: every later read, append or delete raises StreamDeletedError. */
  tombstoneStream(stream: string, expected: ExpectedRevision): Promise<void>;
  close(): Promise<void>;
}

const TEXT_PAGE = 1000;

/** $all a page at a time, with data and metadata as UTF-8 text: the store's own read where it has one. */
export async function* readAllText(store: EventStore, options: ReadAllOptions = {}): AsyncIterable<TextEvent[]> {
  if (store.readAllTextPages) {
    yield* store.readAllTextPages(options);
    return;
  }
  let page: TextEvent[] = [];
  for await (const e of store.readAll(options)) {
    const text: TextEvent = { id: e.id, stream: e.stream, revision: e.revision, type: e.type, position: e.position, data: utf8Text(e.data), metadata: e.metadata && utf8Text(e.metadata) };
    if (!isUtf8(e.data)) text.dataBytes = e.data;
    page.push(text);
    if (page.length === TEXT_PAGE) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

/** Event bytes as text, decoded in place (no copy: bulk readers decode every event). */
export function utf8Text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

export const START: Position = { commit: 0n, prepare: 0n };

export function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

export function matchesFilter(filter: EventFilter | undefined, stream: string, type: string): boolean {
  if (!filter) return true;
  if (filter.eventTypePrefixes && !filter.eventTypePrefixes.some((p) => type.startsWith(p))) return false;
  if (filter.streamPrefixes && !filter.streamPrefixes.some((p) => stream.startsWith(p))) return false;
  return true;
}

/** Positions as text for checkpoints kept outside the store ("commit/prepare"). */
export function positionToString(p: Position): string {
  return `${p.commit}/${p.prepare}`;
}

export function positionFromString(text: string): Position {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m) throw new TypeError(`"${text}" is not a store position`);
  return { commit: BigInt(m[1]), prepare: BigInt(m[2]) };
}
