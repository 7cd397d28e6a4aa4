import Database from 'better-sqlite3';
import { isUtf8 } from 'node:buffer';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  AppendResult, EventStore, ExpectedRevision, NewEvent, Position, ReadAllOptions, ReadStreamOptions, StoredEvent,
  StreamDeletedError, StreamNotFoundError, SubscribeAllOptions, Subscription, TextEvent, WrongExpectedVersionError, matchesFilter,
} from '@arbiter/event-store';
import { NO_STREAM_ROW, StreamRow, checkExpectedRevision } from './expected-revision';
import { GroupCommit } from './group-commit';
import { WalSync } from '@arbiter/sqlite-wal';
import { STREAM_STATE, createSchema } from './schema';

/**
 * An event row as the read statements return it: in raw mode, an array in EVENT_COLUMNS order
 * rather than an object per row, which costs a read of every event its own allocations.
 * Integers are bigint (defaultSafeIntegers).
 */
type EventRow = [position: bigint, stream: string, type: string, revision: bigint, eventId: string, data: StoredBytes, metadata: StoredBytes | null, created: bigint, contentType: string | null];
const EVENT_COLUMNS = 'position, stream, type, revision, event_id, data, metadata, created, content_type';
/** What `readAllTextPages` reads: only what a TextEvent holds. Both rows start with position, stream and type. */
type TextRow = [position: bigint, stream: string, type: string, revision: bigint, eventId: string, data: StoredBytes, metadata: StoredBytes | null];
const TEXT_COLUMNS = 'position, stream, type, revision, event_id, data, metadata';
const POSITION = 0;
const STREAM = 1;
const TYPE = 2;
const REVISION = 3;

const PAGE = 1000;
/** How often a subscription looks for events appended by another process on the same file. */
const POLL_MS = 250;
/** Beyond any revision or position the store hands out. */
const BEYOND_ALL = BigInt(Number.MAX_SAFE_INTEGER);

function toStored([position, stream, type, revision, id, data, metadata, created, contentType]: EventRow): StoredEvent {
  return {
    id,
    stream,
    revision,
    position: { commit: position, prepare: position },
    type,
    data: bytesOf(data),
    metadata: metadata === null ? null : bytesOf(metadata),
    contentType: contentType === 'application/json' ? 'application/json' : 'application/octet-stream',
    created: new Date(Number(created)),
  };
}

/**
 * Event bytes as SQLite keeps them: valid UTF-8 (JSON events, nearly all of them) as TEXT,
 * anything else as a BLOB. Either way the column holds exactly the bytes given. The driver hands
 * TEXT back as a string, which costs it far less than a Buffer (each Buffer is its own native
 * allocation): reading and decoding 200,000 archived events took 1.2 s as BLOBs, 0.9 s as TEXT.
 */
type StoredBytes = string | Buffer;

function storable(bytes: Uint8Array): StoredBytes {
  // Without a copy: the driver copies the value into the page itself.
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return isUtf8(buffer) ? buffer.toString('utf8') : buffer;
}

/** Valid UTF-8 decodes to a string that encodes back to the same bytes. */
function bytesOf(value: StoredBytes): Uint8Array {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

function textOf(value: StoredBytes): string {
  return typeof value === 'string' ? value : value.toString('utf8');
}

function toText([position, stream, type, revision, id, data, metadata]: TextRow): TextEvent {
  const event: TextEvent = { id, stream, revision, type, position: { commit: position, prepare: position }, data: textOf(data), metadata: metadata === null ? null : textOf(metadata) };
  // A BLOB is bytes that are not UTF-8 (or any bytes, in a store written before TEXT was kept).
  if (typeof data !== 'string' && !isUtf8(data)) event.dataBytes = data;
  return event;
}

function isUniqueViolation(e: unknown): boolean {
  return (e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export interface SqliteEventStoreOptions {
  /**
   * `FULL` (default): an acknowledged append is on disk and survives power loss, and
   * subscriptions deliver only such events. `NORMAL`: nothing is synced (scratch stores).
   */
  synchronous?: 'FULL' | 'NORMAL';
}

/**
 * The embedded event store: SQLite in WAL mode, one row per event, the global position as
 * the primary key. Each append is one transaction, so a crash leaves either all of an
 * append or none of it.
 */
export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly appended = new EventEmitter();
  private closed = false;
  private readonly statements;
  private readonly transactions;
  private readonly groupCommit: GroupCommit;
  private readonly walSync: WalSync | null;
  /** The last position this process committed, and the last one known to be on disk. */
  private committedUpTo: bigint;
  private durableUpTo: bigint;

  constructor(readonly file: string, options: SqliteEventStoreOptions = {}) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // Commits only write; durability comes from WalSync, off the event loop (see its comment).
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    createSchema(this.db);
    this.db.defaultSafeIntegers(true);
    this.appended.setMaxListeners(0);
    this.statements = {
      stream: this.db.prepare<[string], { revision: bigint; truncate_before: bigint; state: bigint }>(
        'SELECT revision, truncate_before, state FROM streams WHERE stream = ?',
      ),
      insert: this.db.prepare(
        'INSERT INTO events (stream, revision, event_id, type, data, metadata, created, content_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      upsertStream: this.db.prepare(
        `INSERT INTO streams (stream, revision, truncate_before, state) VALUES (?, ?, ?, ?)
         ON CONFLICT (stream) DO UPDATE SET revision = excluded.revision, truncate_before = excluded.truncate_before, state = excluded.state`,
      ),
      byId: this.db.prepare<[string, string], { revision: bigint; position: bigint }>('SELECT revision, position FROM events WHERE stream = ? AND event_id = ?'),
      head: this.db.prepare<[], { position: bigint | null }>('SELECT MAX(position) AS position FROM events'),
    };
    this.transactions = {
      append: this.db.transaction((stream: string, events: NewEvent[], expected: ExpectedRevision) => this.appendChecked(stream, events, expected)),
      markDeleted: this.db.transaction((stream: string, expected: ExpectedRevision, state: number) => this.markDeletedChecked(stream, expected, state)),
    };
    // IMMEDIATE takes the write lock first, so a writer in another process cannot interleave its checks.
    const group = this.db.transaction((work: () => void) => work());
    this.walSync = (options.synchronous ?? 'FULL') === 'FULL' ? new WalSync(`${file}-wal`) : null;
    this.committedUpTo = this.durableUpTo = BigInt(this.statements.head.get()?.position ?? 0n);
    this.groupCommit = new GroupCommit(
      (work) => group.immediate(work),
      () => this.madeDurable(),
    );
  }

  /** After a commit: wait until it is on disk, then let subscriptions see it. */
  private async madeDurable(): Promise<void> {
    const upTo = (this.committedUpTo = BigInt(this.statements.head.get()?.position ?? 0n));
    await this.walSync?.sync();
    if (upTo > this.durableUpTo) this.durableUpTo = upTo;
    this.appended.emit('append');
  }

  /**
   * How far subscriptions may read: while commits of this process wait for their sync, up to the
   * last durable one; otherwise everything (including what writers in other processes synced).
   */
  private visibleUpTo(): bigint {
    return this.committedUpTo > this.durableUpTo ? this.durableUpTo : BEYOND_ALL;
  }

  /** Each append runs in a savepoint of a group commit: concurrent appends share one sync to disk. */
  async append(stream: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    if (events.length === 0) throw new TypeError('append needs at least one event');
    return this.groupCommit.submit(() => this.transactions.append(stream, events, expected));
  }

  private streamRow(stream: string): StreamRow {
    const row = this.statements.stream.get(stream);
    if (!row) return NO_STREAM_ROW;
    return { revision: BigInt(row.revision), truncateBefore: BigInt(row.truncate_before), state: Number(row.state) };
  }

  private appendChecked(stream: string, events: NewEvent[], expected: ExpectedRevision): AppendResult {
    const row = this.streamRow(stream);
    if (row.state === STREAM_STATE.tombstoned) throw new StreamDeletedError(stream);
    const replay = this.idempotentReplay(stream, events, expected);
    if (replay) return replay;
    checkExpectedRevision(stream, row, expected);
    return this.insertEvents(stream, row, events, expected);
  }

  private insertEvents(stream: string, row: StreamRow, events: NewEvent[], expected: ExpectedRevision): AppendResult {
    const now = Date.now();
    let revision = row.revision;
    let position = 0n;
    for (const e of events) {
      revision++;
      try {
        const info = this.statements.insert.run(
          stream, revision, e.id, e.type, storable(e.data), e.metadata ? storable(e.metadata) : null, now, e.contentType ?? null,
        );
        position = BigInt(info.lastInsertRowid);
      } catch (error) {
        // An id already in the stream, but not where an idempotent retry would put it.
        if (isUniqueViolation(error)) throw new WrongExpectedVersionError(stream, expected, row.revision < 0n ? 'no_stream' : row.revision);
        throw error;
      }
    }
    // The first append after a soft delete recreates the stream: reads start at its first new event.
    const truncateBefore = row.state === STREAM_STATE.softDeleted ? row.revision + 1n : row.truncateBefore;
    this.statements.upsertStream.run(stream, revision, truncateBefore, STREAM_STATE.live);
    return { nextExpectedRevision: revision, position: { commit: position, prepare: position } };
  }

  /**
   * EventStoreDB's idempotence: when the same event ids already sit, in order, right after the
   * expected revision, the append is acknowledged again without writing anything.
   */
  private idempotentReplay(stream: string, events: NewEvent[], expected: ExpectedRevision): AppendResult | null {
    // A retry repeats every id of the append: one that is not there rules it out, without a lookup per event.
    const first = this.statements.byId.get(stream, events[0].id);
    if (first === undefined) return null;
    const found = [first, ...events.slice(1).map((e) => this.statements.byId.get(stream, e.id))];
    if (found.some((f) => f === undefined)) return null;
    const revisions = found.map((f) => BigInt(f!.revision));
    const start = typeof expected === 'bigint' ? expected + 1n : expected === 'no_stream' ? 0n : revisions[0];
    if (!revisions.every((r, i) => r === start + BigInt(i))) return null;
    const last = found[found.length - 1]!;
    return { nextExpectedRevision: revisions[revisions.length - 1], position: { commit: BigInt(last.position), prepare: BigInt(last.position) } };
  }

  deleteStream(stream: string, expected: ExpectedRevision): Promise<void> {
    return this.markDeleted(stream, expected, STREAM_STATE.softDeleted);
  }

  tombstoneStream(stream: string, expected: ExpectedRevision): Promise<void> {
    return this.markDeleted(stream, expected, STREAM_STATE.tombstoned);
  }

  /** Deletes write no event: the stream's row records the state, its events stay in $all. They queue behind earlier appends. */
  private async markDeleted(stream: string, expected: ExpectedRevision, state: number): Promise<void> {
    this.assertOpen();
    await this.groupCommit.submit(() => this.transactions.markDeleted(stream, expected, state));
  }

  private markDeletedChecked(stream: string, expected: ExpectedRevision, state: number): void {
    const row = this.streamRow(stream);
    checkExpectedRevision(stream, row, expected);
    this.statements.upsertStream.run(stream, row.revision, row.truncateBefore, state);
  }

  async *readStream(stream: string, options: ReadStreamOptions = {}): AsyncIterable<StoredEvent> {
    this.assertOpen();
    const row = this.streamRow(stream);
    if (row.state === STREAM_STATE.tombstoned) throw new StreamDeletedError(stream);
    if (row.state === STREAM_STATE.softDeleted || row.revision < row.truncateBefore) throw new StreamNotFoundError(stream);
    const backwards = options.direction === 'backwards';
    // Forwards from the end there is nothing to read, as in EventStoreDB.
    if (!backwards && options.from === 'end') return;
    let remaining = options.maxCount ?? Infinity;
    let cursor = typeof options.from === 'bigint' ? options.from : backwards ? BEYOND_ALL : 0n;
    if (!backwards && cursor < row.truncateBefore) cursor = row.truncateBefore;
    const page = this.db
      .prepare<[string, bigint, bigint, number], EventRow>(
        backwards
          ? `SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision <= ? AND revision >= ? ORDER BY revision DESC LIMIT ?`
          : `SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision >= ? AND revision >= ? ORDER BY revision ASC LIMIT ?`,
      )
      .raw(true);
    while (remaining > 0) {
      const rows = page.all(stream, cursor, row.truncateBefore, Math.min(PAGE, remaining));
      for (const r of rows) yield toStored(r);
      if (rows.length < Math.min(PAGE, remaining)) return;
      remaining -= rows.length;
      const last = rows[rows.length - 1][REVISION];
      cursor = backwards ? last - 1n : last + 1n;
    }
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<StoredEvent> {
    for (const page of this.pagesOfAll<EventRow>(EVENT_COLUMNS, options)) for (const row of page) yield toStored(row);
  }

  async *readAllTextPages(options: ReadAllOptions = {}): AsyncIterable<TextEvent[]> {
    for (const page of this.pagesOfAll<TextRow>(TEXT_COLUMNS, options)) yield page.map(toText);
  }

  /** $all's rows, a page at a time: in the direction asked, after the position given, up to maxCount of those the filter lets through. */
  private *pagesOfAll<R extends [bigint, string, string, ...unknown[]]>(columns: string, options: ReadAllOptions): Generator<R[]> {
    this.assertOpen();
    const backwards = options.direction === 'backwards';
    let remaining = options.maxCount ?? Infinity;
    let cursor = options.after && options.after !== 'start' ? options.after.commit : backwards ? BEYOND_ALL : 0n;
    const page = this.db
      .prepare<[bigint, number], R>(
        backwards
          ? `SELECT ${columns} FROM events WHERE position < ? ORDER BY position DESC LIMIT ?`
          : `SELECT ${columns} FROM events WHERE position > ? ORDER BY position ASC LIMIT ?`,
      )
      .raw(true);
    while (remaining > 0) {
      const rows = page.all(cursor, PAGE);
      const kept = options.filter ? rows.filter((row) => matchesFilter(options.filter, row[STREAM], row[TYPE])) : rows;
      if (kept.length > remaining) kept.length = remaining;
      remaining -= kept.length;
      if (kept.length > 0) yield kept;
      if (rows.length < PAGE) return;
      cursor = rows[rows.length - 1][POSITION];
    }
  }

  subscribeAll(options: SubscribeAllOptions = {}): Subscription {
    this.assertOpen();
    const state = { open: true, appendedSinceRead: false, wake: null as (() => void) | null };
    const onAppend = () => {
      state.appendedSinceRead = true;
      state.wake?.();
    };
    this.appended.on('append', onAppend);
    const close = async () => {
      state.open = false;
      this.appended.off('append', onAppend);
      state.wake?.();
    };
    const iterator = this.follow(options, state, close);
    return { [Symbol.asyncIterator]: () => iterator, close };
  }

  /** History first, then waits for an append (or polls, for writers in other processes). */
  private async *follow(
    options: SubscribeAllOptions,
    state: { open: boolean; appendedSinceRead: boolean; wake: (() => void) | null },
    close: () => Promise<void>,
  ): AsyncGenerator<StoredEvent> {
    let after = options.after && options.after !== 'start' ? options.after.commit : 0n;
    const page = this.db
      .prepare<[bigint, bigint, number], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? AND position <= ? ORDER BY position ASC LIMIT ?`)
      .raw(true);
    try {
      while (state.open && !this.closed) {
        state.appendedSinceRead = false;
        const rows = page.all(after, this.visibleUpTo(), PAGE);
        for (const row of rows) {
          after = row[POSITION];
          if (matchesFilter(options.filter, row[STREAM], row[TYPE])) yield toStored(row);
          if (!state.open) return;
        }
        if (rows.length === PAGE || state.appendedSinceRead) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, POLL_MS);
          state.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        state.wake = null;
      }
    } finally {
      await close();
    }
  }

  async headPosition(): Promise<Position | null> {
    const row = this.statements.head.get();
    return row?.position == null ? null : { commit: BigInt(row.position), prepare: BigInt(row.position) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.appended.emit('append');
    await this.groupCommit.flush();
    await this.walSync?.close();
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the event store is closed');
  }
}

export function openSqliteEventStore(file: string, options?: SqliteEventStoreOptions): SqliteEventStore {
  return new SqliteEventStore(file, options);
}
