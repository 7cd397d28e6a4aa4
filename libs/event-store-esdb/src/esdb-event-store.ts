import { BACKWARDS, END, EventStoreDBClient, FORWARDS, START } from '@eventstore/db-client';
import {
  AppendResult, EventStore, ExpectedRevision, NewEvent, Position, ReadAllOptions, ReadStreamOptions, StoredEvent,
  SubscribeAllOptions, Subscription, WrongExpectedVersionError, comparePositions, matchesFilter,
} from '@arbiter/event-store';
import { CatchUpSubscription, DEFAULT_RECONNECT, ReconnectPolicy } from './catch-up-subscription';
import { isSystemEvent, toEventData, toStoredEvent } from './recorded-events';
import { translateError } from './translate-error';

export interface EsdbEventStoreOptions {
  /** How subscriptions come back after the connection drops. */
  reconnect?: Partial<ReconnectPolicy>;
}

/** Read streams the client has not finished, so they can be cancelled when the reader stops early. */
interface Cancellable {
  cancel(): Promise<void>;
}

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
    const direction = options.direction === 'backwards' ? BACKWARDS : FORWARDS;
    const fromRevision = typeof options.from === 'bigint' ? options.from : options.from === 'end' || (!options.from && direction === BACKWARDS) ? END : START;
    const read = this.client.readStream(stream, { fromRevision, direction, maxCount: options.maxCount });
    yield* this.events(read, stream, () => true);
  }

  /**
   * $all after (or, backwards, before) a position. The client reads from a position inclusive,
   * so the event there is skipped; filters apply here, because the client reads $all unfiltered.
   */
  async *readAll(options: ReadAllOptions = {}): AsyncIterable<StoredEvent> {
    this.assertOpen();
    const backwards = options.direction === 'backwards';
    const after = options.after && options.after !== 'start' ? options.after : null;
    const read = this.client.readAll({ fromPosition: after ?? (backwards ? END : START), direction: backwards ? BACKWARDS : FORWARDS });
    let remaining = options.maxCount ?? Infinity;
    if (remaining <= 0) return;
    const wanted = (event: StoredEvent) =>
      !isSystemEvent(event) &&
      (!after || (backwards ? comparePositions(event.position, after) < 0 : comparePositions(event.position, after) > 0)) &&
      matchesFilter(options.filter, event.stream, event.type);
    for await (const event of this.events(read, '$all', wanted)) {
      yield event;
      if (--remaining <= 0) return;
    }
  }

  private async *events(read: AsyncIterable<unknown> & Cancellable, stream: string, wanted: (e: StoredEvent) => boolean): AsyncGenerator<StoredEvent> {
    let finished = false;
    try {
      for await (const resolved of read) {
        const event = toStoredEvent(resolved as Parameters<typeof toStoredEvent>[0]);
        if (event && wanted(event)) yield event;
      }
      finished = true;
    } catch (error) {
      finished = true;
      throw translateError(error, stream);
    } finally {
      if (!finished) await read.cancel();
    }
  }

  subscribeAll(options: SubscribeAllOptions = {}): Subscription {
    this.assertOpen();
    const subscription: CatchUpSubscription = new CatchUpSubscription(this.client, options, this.reconnect, () => this.subscriptions.delete(subscription));
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<Position | null> {
    for await (const event of this.events(this.client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 }), '$all', () => true)) {
      return event.position;
    }
    return null;
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
      const [last] = await collectOne(this.readStream(stream, { direction: 'backwards', from: 'end', maxCount: 1 })).catch((error: unknown) => {
        throw (error as { code?: string }).code === 'stream-not-found' ? new WrongExpectedVersionError(stream, 'stream_exists', 'no_stream') : error;
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

async function collectOne(events: AsyncIterable<StoredEvent>): Promise<StoredEvent[]> {
  for await (const event of events) return [event];
  return [];
}
