import { AllStreamResolvedEvent, BACKWARDS, END, EventStoreDBClient, FORWARDS, ResolvedEvent, START } from '@eventstore/db-client';
import {
  AppendResult, EventStore, ExpectedRevision, NewEvent, Position, ReadAllOptions, ReadStreamOptions, StoredEvent,
  StreamNotFoundError, SubscribeAllOptions, Subscription, WrongExpectedVersionError, comparePositions, matchesFilter,
} from '@arbiter/event-store';
import { CatchUpSubscription, DEFAULT_RECONNECT, ReconnectPolicy } from './catch-up-subscription';
import { isSystemEvent, toEventData, toStoredEvent } from './recorded-events';
import { translateError } from './translate-error';

export interface EsdbEventStoreOptions {
  /** How subscriptions come back after the connection drops. */
  reconnect?: Partial<ReconnectPolicy>;
}

/** Events per read call; every page is read to its end. */
const PAGE = 512;

/** How many times a soft delete with `stream_exists` re-reads the revision when a writer got in between. */
const STREAM_EXISTS_ATTEMPTS = 5;

/**
 * The event store on EventStoreDB (or anything that speaks its gRPC protocol), through the
 * official client. Positions and revisions are EventStoreDB's own; its system events are
 * left out of $all.
 */
export class EsdbEventStore implements EventStore {
  private readonly subscriptions = new Set<CatchUpSubscription>();
  private readonly reconnect: ReconnectPolicy;
  private closed = false;

  constructor(
    readonly client: EventStoreDBClient,
    options: EsdbEventStoreOptions = {},
  ) {
    this.reconnect = { ...DEFAULT_RECONNECT, ...options.reconnect };
  }

  /** E.g. `esdb://127.0.0.1:2113?tls=false`; the client connects on first use. */
  static connect(connectionString: string, options?: EsdbEventStoreOptions): EsdbEventStore {
    return new EsdbEventStore(EventStoreDBClient.connectionString(connectionString), options);
  }

  async append(stream: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    if (events.length === 0) throw new TypeError('append needs at least one event');
    try {
      const result = await this.client.appendToStream(stream, events.map(toEventData), { expectedRevision: expected });
      // EventStoreDB always sends the position of a write; a server that does not is answered by the head.
      const position = result.position ?? (await this.headPosition());
      if (!position) throw new Error(`EventStoreDB acknowledged an append to "${stream}" without a position`);
      return { nextExpectedRevision: result.nextExpectedRevision, position };
    } catch (error) {
      throw translateError(error, stream, expected);
    }
  }

  async *readStream(stream: string, options: ReadStreamOptions = {}): AsyncIterable<StoredEvent> {
    this.assertOpen();
    const backwards = options.direction === 'backwards';
    let from: bigint | typeof START | typeof END = typeof options.from === 'bigint' ? options.from : options.from === 'end' || (!options.from && backwards) ? END : START;
    let remaining = options.maxCount ?? Infinity;
    while (remaining > 0) {
      const size = Math.min(PAGE, remaining);
      const page = await this.page(this.client.readStream(stream, { fromRevision: from, direction: backwards ? BACKWARDS : FORWARDS, maxCount: size }), stream);
      yield* page;
      remaining -= page.length;
      const last = page[page.length - 1]?.revision;
      if (page.length < size || last === undefined || (backwards && last === 0n)) return;
      from = backwards ? last - 1n : last + 1n;
    }
  }

  /**
   * $all after (or, backwards, before) a position. The client reads from a position inclusive,
   * so the event there is skipped; filters apply here, because the client reads $all unfiltered.
   */
  async *readAll(options: ReadAllOptions = {}): AsyncIterable<StoredEvent> {
    this.assertOpen();
    const backwards = options.direction === 'backwards';
    let after = options.after && options.after !== 'start' ? options.after : null;
    let remaining = options.maxCount ?? Infinity;
    const beyond = (position: Position, bound: Position | null) => !bound || (backwards ? comparePositions(position, bound) < 0 : comparePositions(position, bound) > 0);
    while (remaining > 0) {
      const read = this.client.readAll({ fromPosition: after ?? (backwards ? END : START), direction: backwards ? BACKWARDS : FORWARDS, maxCount: PAGE });
      const page = await this.page(read, '$all');
      for (const event of page) {
        if (!beyond(event.position, after) || isSystemEvent(event) || !matchesFilter(options.filter, event.stream, event.type)) continue;
        yield event;
        if (--remaining <= 0) return;
      }
      if (page.length < PAGE) return;
      after = page[page.length - 1].position;
    }
  }

  /**
   * Reads a page to its end before handing any of it out: a read the client stops halfway
   * stays open in its client, and disposing the client would wait for it forever.
   */
  private async page(read: AsyncIterable<ResolvedEvent | AllStreamResolvedEvent>, stream: string): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    try {
      for await (const resolved of read) {
        const event = toStoredEvent(resolved);
        if (event) events.push(event);
      }
    } catch (error) {
      throw translateError(error, stream);
    }
    return events;
  }

  subscribeAll(options: SubscribeAllOptions = {}): Subscription {
    this.assertOpen();
    const subscription: CatchUpSubscription = new CatchUpSubscription(this.client, options, this.reconnect, () => this.subscriptions.delete(subscription));
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<Position | null> {
    const [last] = await this.page(this.client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 }), '$all');
    return last?.position ?? null;
  }

  async deleteStream(stream: string, expected: ExpectedRevision): Promise<void> {
    this.assertOpen();
    if (expected === 'stream_exists') return this.deleteExistingStream(stream);
    try {
      await this.client.deleteStream(stream, { expectedRevision: expected });
    } catch (error) {
      throw translateError(error, stream, expected);
    }
  }

  /**
   * The client cannot send `stream_exists` with a soft delete (6.2.1 has no case for it), so
   * the delete goes at the stream's last revision, read just before.
   */
  private async deleteExistingStream(stream: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const [last] = await this.page(this.client.readStream(stream, { fromRevision: END, direction: BACKWARDS, maxCount: 1 }), stream).catch((error: unknown) => {
        throw error instanceof StreamNotFoundError ? new WrongExpectedVersionError(stream, 'stream_exists', 'no_stream') : error;
      });
      try {
        await this.client.deleteStream(stream, { expectedRevision: last.revision });
        return;
      } catch (error) {
        const translated = translateError(error, stream, 'stream_exists');
        if (!(translated instanceof WrongExpectedVersionError) || attempt >= STREAM_EXISTS_ATTEMPTS) throw translated;
      }
    }
  }

  async tombstoneStream(stream: string, expected: ExpectedRevision): Promise<void> {
    this.assertOpen();
    try {
      // The 6.2.1 client sends `stream_exists` with a tombstone, though its option type leaves it out.
      await this.client.tombstoneStream(stream, { expectedRevision: expected as Exclude<ExpectedRevision, 'stream_exists'> });
    } catch (error) {
      throw translateError(error, stream, expected);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.client.dispose();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the event store is closed');
  }
}
