import type { DomainEvent } from '@arbiter/contracts';
import { EventStore, StoredEvent, StreamNotFoundError, TextEvent, readAllText, utf8Text } from '@arbiter/event-store';
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
  /** Recently read events' text by offset: one trigger may be the cause of several decisions. */
  window: Map<string, string>;
}

const WINDOW = 4_096;
/** Archived triggers kept from the pass over the ledger; a decision usually follows its trigger within a few thousand store events. */
const RECENT = 200_000;

/** Hex SHA-256 of the JCS form of a CloudEvent: what a decision records as `trigger.digest`. */
export function triggerDigest(event: unknown): string {
  return sha256Hex(canonicalize(event as never));
}

const metadataOf = (metadata: string | null) => JSON.parse(metadata!) as ArchivedMetadata;

/** An archived event's CloudEvent, parsed from its stored text. */
export function parseArchivedEvent(text: string): DomainEvent {
  return JSON.parse(text) as DomainEvent;
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
  private readonly recent = new Map<string, string>();
  private byId: Map<string, { stream: string; revision: bigint }> | null = null;

  constructor(private readonly store: EventStore) {}

  /** The archived trigger, checked against the digest the decision recorded. */
  async find(trigger: RecordedTrigger, recordedEvent: unknown): Promise<FoundTrigger> {
    const text = await this.lookUp(trigger);
    return verifyTrigger(trigger, text !== null ? parseArchivedEvent(text) : null, recordedEvent);
  }

  /** An archived domain event met while reading the store: kept a while, for the decisions that follow it. */
  seen(event: TextEvent): void {
    this.recent.set(`${event.stream}\n${metadataOf(event.metadata).offset}`, event.data);
    if (this.recent.size > RECENT) this.recent.delete(this.recent.keys().next().value as string);
  }

  /** The archived trigger as stored (its JSON text), unchecked: for checking elsewhere (a worker thread). */
  findText(trigger: Pick<RecordedTrigger, 'eventId' | 'topic' | 'partition' | 'offset'>): Promise<string | null> {
    return this.lookUp(trigger);
  }

  async close(): Promise<void> {
    for (const cursor of this.cursors.values()) await cursor.events.return?.();
    this.cursors.clear();
  }

  private async lookUp(trigger: Pick<RecordedTrigger, 'eventId' | 'topic' | 'partition' | 'offset'>): Promise<string | null> {
    if (trigger.topic !== null && trigger.partition !== null && trigger.offset !== null) {
      const stream = archiveStream(trigger.topic, trigger.partition);
      const text = this.recent.get(`${stream}\n${trigger.offset}`);
      if (text !== undefined) return text;
      const found = await this.alongStream(stream, BigInt(trigger.offset));
      if (found !== undefined) return found;
    }
    return this.byEventId(trigger.eventId);
  }

  /** The archived event at `offset`; undefined when the stream's cursor has already passed it. */
  private async alongStream(stream: string, offset: bigint): Promise<string | null | undefined> {
    const cursor = this.cursorOf(stream);
    const key = offset.toString();
    const seen = cursor.window.get(key);
    if (seen !== undefined) return seen;
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
      const at = metadataOf(next.value.metadata && utf8Text(next.value.metadata)).offset;
      cursor.lastOffset = BigInt(at);
      cursor.window.set(at, utf8Text(next.value.data));
      if (cursor.window.size > WINDOW) cursor.window.delete(cursor.window.keys().next().value as string);
    }
    return cursor.window.get(key) ?? (cursor.done ? null : undefined);
  }

  private cursorOf(stream: string): Cursor {
    let cursor = this.cursors.get(stream);
    if (!cursor) this.cursors.set(stream, (cursor = { events: this.store.readStream(stream)[Symbol.asyncIterator](), lastOffset: -1n, done: false, window: new Map() }));
    return cursor;
  }

  private async byEventId(eventId: string): Promise<string | null> {
    if (!this.byId) this.byId = await this.indexArchive();
    const where = this.byId.get(eventId);
    if (!where) return null;
    for await (const stored of this.store.readStream(where.stream, { from: where.revision, maxCount: 1 })) return utf8Text(stored.data);
    return null;
  }

  /** Every archived event's id and place: read once, and only when a trigger is not where the ledger says. */
  private async indexArchive(): Promise<Map<string, { stream: string; revision: bigint }>> {
    const index = new Map<string, { stream: string; revision: bigint }>();
    for await (const page of readAllText(this.store, { filter: { eventTypePrefixes: [DOMAIN_EVENT_TYPE_PREFIX] } })) {
      for (const event of page) {
        const id = parseArchivedEvent(event.data).id;
        // A producer may send an event twice; the first copy is the one memory learnt from.
        if (!index.has(id)) index.set(id, { stream: event.stream, revision: event.revision });
      }
    }
    return index;
  }
}
