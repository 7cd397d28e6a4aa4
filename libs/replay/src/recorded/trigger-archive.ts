import type { DomainEvent } from '@arbiter/contracts';
import { EventStore, StoredEvent, StreamNotFoundError } from '@arbiter/event-store';
import { ArchivedMetadata, DOMAIN_EVENT_TYPE_PREFIX, archiveStream } from '@arbiter/memory';
import { canonicalize, sha256Hex } from '@arbiter/ledger';
import type { RecordedTrigger } from './recorded-decision';

/** A trigger found in the domain archive, and whether it is the event the decision names. */
export type FoundTrigger =
  | { status: 'verified'; event: DomainEvent; source: 'archive' | 'record' }
  | { status: 'mismatch'; event: DomainEvent; archivedDigest: string }
  | { status: 'missing' };

interface Cursor {
  events: AsyncIterator<StoredEvent>;
  /** The bus offset of the last archived event read, -1 before the first. */
  lastOffset: bigint;
  done: boolean;
  /** Recently read events by offset: one trigger may be the cause of several decisions. */
  window: Map<string, StoredEvent>;
}

const WINDOW = 4_096;
/** Archived triggers kept from the pass over the ledger; a decision usually follows its trigger within a few thousand store events. */
const RECENT = 200_000;

/** Hex SHA-256 of the JCS form of a CloudEvent: what a decision records as `trigger.digest`. */
export function triggerDigest(event: unknown): string {
  return sha256Hex(canonicalize(event as never));
}

const metadataOf = (stored: StoredEvent) => JSON.parse(Buffer.from(stored.metadata!).toString('utf8')) as ArchivedMetadata;

/** An archived event's CloudEvent, parsed from its stored bytes. */
export function parseArchivedEvent(data: Uint8Array): DomainEvent {
  return JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')) as DomainEvent;
}

/**
 * Is the archived event the one the decision was made on? Its digest must be the one recorded.
 * Where nothing was archived (a store older than the archive), the copy in the record serves if
 * it is the event the digest names.
 */
export function verifyTrigger(trigger: Pick<RecordedTrigger, 'digest'>, archived: DomainEvent | null, recordedEvent: unknown): FoundTrigger {
  if (archived) {
    const digest = triggerDigest(archived);
    return digest === trigger.digest ? { status: 'verified', event: archived, source: 'archive' } : { status: 'mismatch', event: archived, archivedDigest: digest };
  }
  if (recordedEvent && triggerDigest(recordedEvent) === trigger.digest) return { status: 'verified', event: recordedEvent as DomainEvent, source: 'record' };
  return { status: 'missing' };
}

/**
 * The trigger CloudEvents of recorded decisions, from the domain archive (`domain-<topic>-<partition>`).
 * Most are met in the same pass over the store as their decisions (`seen`). The others are read
 * from their archive stream, forwards, as a reasoner decides a partition in offset order; what
 * falls outside that order too (HTTP triggers, a rebalance) is found through an index by event
 * id, built on first need. Every trigger is checked against the digest recorded.
 */
export class TriggerArchive {
  private readonly cursors = new Map<string, Cursor>();
  private readonly recent = new Map<string, Uint8Array>();
  private byId: Map<string, { stream: string; revision: bigint }> | null = null;

  constructor(private readonly store: EventStore) {}

  /** The archived trigger, checked against the digest the decision recorded. */
  async find(trigger: RecordedTrigger, recordedEvent: unknown): Promise<FoundTrigger> {
    const stored = await this.lookUp(trigger);
    return verifyTrigger(trigger, stored ? parseArchivedEvent(stored.data) : null, recordedEvent);
  }

  /** An archived domain event met while reading the store: kept a while, for the decisions that follow it. */
  seen(stored: StoredEvent): void {
    this.recent.set(`${stored.stream}\n${metadataOf(stored).offset}`, stored.data);
    if (this.recent.size > RECENT) this.recent.delete(this.recent.keys().next().value as string);
  }

  /** The archived trigger as stored (its JSON bytes), unchecked: for checking elsewhere (a worker thread). */
  async findBytes(trigger: Pick<RecordedTrigger, 'eventId' | 'topic' | 'partition' | 'offset'>): Promise<Uint8Array | null> {
    return (await this.lookUp(trigger))?.data ?? null;
  }

  async close(): Promise<void> {
    for (const cursor of this.cursors.values()) await cursor.events.return?.();
    this.cursors.clear();
  }

  private async lookUp(trigger: Pick<RecordedTrigger, 'eventId' | 'topic' | 'partition' | 'offset'>): Promise<{ data: Uint8Array } | null> {
    if (trigger.topic !== null && trigger.partition !== null && trigger.offset !== null) {
      const stream = archiveStream(trigger.topic, trigger.partition);
      const data = this.recent.get(`${stream}\n${trigger.offset}`);
      if (data) return { data };
      const found = await this.alongStream(stream, BigInt(trigger.offset));
      if (found !== undefined) return found;
    }
    return this.byEventId(trigger.eventId);
  }

  /** The archived event at `offset`; undefined when the stream's cursor has already passed it. */
  private async alongStream(stream: string, offset: bigint): Promise<StoredEvent | null | undefined> {
    const cursor = this.cursorOf(stream);
    const key = offset.toString();
    const seen = cursor.window.get(key);
    if (seen) return seen;
    if (offset <= cursor.lastOffset) return undefined;
    while (!cursor.done && cursor.lastOffset < offset) {
      let next: IteratorResult<StoredEvent>;
      try {
        next = await cursor.events.next();
      } catch (e) {
        if (e instanceof StreamNotFoundError) next = { done: true, value: undefined };
        else throw e;
      }
      if (next.done) {
        cursor.done = true;
        break;
      }
      const at = metadataOf(next.value).offset;
      cursor.lastOffset = BigInt(at);
      cursor.window.set(at, next.value);
      if (cursor.window.size > WINDOW) cursor.window.delete(cursor.window.keys().next().value as string);
    }
    return cursor.window.get(key) ?? (cursor.done ? null : undefined);
  }

  private cursorOf(stream: string): Cursor {
    let cursor = this.cursors.get(stream);
    if (!cursor) this.cursors.set(stream, (cursor = { events: this.store.readStream(stream)[Symbol.asyncIterator](), lastOffset: -1n, done: false, window: new Map() }));
    return cursor;
  }

  private async byEventId(eventId: string): Promise<StoredEvent | null> {
    if (!this.byId) this.byId = await this.indexArchive();
    const where = this.byId.get(eventId);
    if (!where) return null;
    for await (const stored of this.store.readStream(where.stream, { from: where.revision, maxCount: 1 })) return stored;
    return null;
  }

  /** Every archived event's id and place: read once, and only when a trigger is not where the ledger says. */
  private async indexArchive(): Promise<Map<string, { stream: string; revision: bigint }>> {
    const index = new Map<string, { stream: string; revision: bigint }>();
    for await (const stored of this.store.readAll({ filter: { eventTypePrefixes: [DOMAIN_EVENT_TYPE_PREFIX] } })) {
      const id = parseArchivedEvent(stored.data).id;
      // A producer may send an event twice; the first copy is the one memory learnt from.
      if (!index.has(id)) index.set(id, { stream: stored.stream, revision: stored.revision });
    }
    return index;
  }
}
