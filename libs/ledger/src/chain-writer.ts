import type { Clock } from '@arbiter/clock';
import { EventStore, Position, StoredEvent, StreamNotFoundError, WrongExpectedVersionError } from '@arbiter/event-store';
import { ledgerEventType } from './bodies';
import { uuidV5 } from './uuid';
import type { Json } from './json/canonical';
import { EntryType, LedgerRecord, Signer, ledgerTime, parseRecord, signEntryToText } from './record';

export interface AppendEntry {
  chain: string;
  type: EntryType;
  body: { [key: string]: Json };
  /**
   * The entry's identity (a decision's id, a review's, a key registration's): at most one entry
   * per identity in a chain. Kept in the store event's metadata; the store event id itself is
   * derived from the record's hash, so the store's idempotence acknowledges only the very same
   * bytes again, never a different record in their place.
   */
  eventId: string;
  signer: Signer;
}

export interface Appended {
  record: LedgerRecord;
  /** True when an entry with this event id was already in the chain; nothing new was written. */
  duplicate: boolean;
  position: Position | null;
}

interface ChainHead {
  seq: number;
  hash: string | null;
  /** Entry identity → seq of every entry in the chain, to recognise a redelivered trigger. */
  ids: Map<string, number>;
}

const MAX_CACHED_CHAINS = 50_000;

/** The store event id of a record: a function of its bytes. */
export function storeEventId(record: LedgerRecord): string {
  return uuidV5(`ledger-entry\n${record.hash}`);
}

function identityMetadata(identity: string): Uint8Array {
  return Buffer.from(JSON.stringify({ identity }));
}

/** An entry's identity, from its store event's metadata (or, for entries written without it, the event id). */
export function entryIdentity(event: StoredEvent): string {
  if (!event.metadata) return event.id;
  const identity = (JSON.parse(Buffer.from(event.metadata).toString('utf8')) as { identity?: unknown }).identity;
  return typeof identity === 'string' ? identity : event.id;
}
const MAX_RACE_RETRIES = 5;

/**
 * Appends signed entries to chains. Each append names the exact expected revision, so a chain
 * cannot fork; a conflict means another writer got there first, so the head is read back and
 * the append retried — unless the entry turns out to be there already, which is a retry of
 * the same entry and is acknowledged without writing.
 */
export class ChainWriter {
  private readonly heads = new Map<string, ChainHead>();
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: EventStore,
    readonly ledger: string,
    private readonly clock: Clock,
  ) {}

  append(request: AppendEntry): Promise<Appended> {
    return this.serialised(request.chain, () => this.appendUnlocked(request));
  }

  /** The record already written for this event id in the chain, if any. */
  async find(chain: string, eventId: string): Promise<LedgerRecord | null> {
    const head = await this.head(chain);
    const seq = head.ids.get(eventId);
    return seq === undefined ? null : this.readAt(chain, seq);
  }

  private async appendUnlocked(request: AppendEntry): Promise<Appended> {
    for (let attempt = 0; ; attempt++) {
      const head = await this.head(request.chain);
      const existing = head.ids.get(request.eventId);
      if (existing !== undefined) return { record: await this.readAt(request.chain, existing), duplicate: true, position: null };
      const { record, text } = await signEntryToText(
        {
          v: 1,
          ledger: this.ledger,
          chain: request.chain,
          seq: head.seq + 1,
          prev: head.hash,
          time: ledgerTime(this.clock.now()),
          type: request.type,
          signer: request.signer.did,
          body: request.body,
        },
        request.signer,
      );
      try {
        const result = await this.store.append(
          request.chain,
          [{ id: storeEventId(record), type: ledgerEventType(request.type), data: Buffer.from(text), metadata: identityMetadata(request.eventId) }],
          head.seq < 0 ? 'no_stream' : BigInt(head.seq),
        );
        this.remember(request.chain, { seq: record.seq, hash: record.hash, ids: head.ids.set(request.eventId, record.seq) });
        return { record, duplicate: false, position: result.position };
      } catch (e) {
        // Whatever went wrong, the append may have landed: the next attempt reads the chain again.
        this.heads.delete(request.chain);
        if (!(e instanceof WrongExpectedVersionError) || attempt >= MAX_RACE_RETRIES) throw e;
      }
    }
  }

  private async head(chain: string): Promise<ChainHead> {
    const cached = this.heads.get(chain);
    if (cached) return cached;
    const head: ChainHead = { seq: -1, hash: null, ids: new Map() };
    try {
      for await (const event of this.store.readStream(chain)) {
        const record = parseRecord(Buffer.from(event.data).toString('utf8'));
        head.seq = record.seq;
        head.hash = record.hash;
        head.ids.set(entryIdentity(event), record.seq);
      }
    } catch (e) {
      if (!(e instanceof StreamNotFoundError)) throw e;
    }
    this.remember(chain, head);
    return head;
  }

  private remember(chain: string, head: ChainHead): void {
    this.heads.delete(chain);
    if (this.heads.size >= MAX_CACHED_CHAINS) this.heads.delete(this.heads.keys().next().value as string);
    this.heads.set(chain, head);
  }

  private async readAt(chain: string, seq: number): Promise<LedgerRecord> {
    for await (const event of this.store.readStream(chain, { from: BigInt(seq), maxCount: 1 })) {
      return parseRecord(Buffer.from(event.data).toString('utf8'));
    }
    throw new Error(`entry ${chain}#${seq} vanished from the store`);
  }

  private serialised<T>(chain: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(chain) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.locks.set(chain, settled);
    void settled.then(() => {
      if (this.locks.get(chain) === settled) this.locks.delete(chain);
    });
    return next;
  }
}
