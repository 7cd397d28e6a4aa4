import { Batch, Bus, Consumer, consumeWithRestarts } from '@arbiter/bus';
import { ContractViolation, DomainEvent, decodeDomainEvent, domainTopics } from '@arbiter/contracts';
import { EventStore, NewEvent, StoredEvent, StreamNotFoundError, TextEvent, WrongExpectedVersionError, utf8Text } from '@arbiter/event-store';
import { uuidV5 } from '@arbiter/ledger';
import { Logger, Metrics, silentLogger } from '@arbiter/telemetry';
import type { TimedEvent } from './memory-batch';

/** Store event types of archived domain events: `domain.<CloudEvent type>`. */
export const DOMAIN_EVENT_TYPE_PREFIX = 'domain.';

/** Each bus partition has its own archive stream, so its order and its offsets carry over. */
export function archiveStream(topic: string, partition: number): string {
  return `domain-${topic}-${partition}`;
}

export interface ArchivedMetadata {
  topic: string;
  partition: number;
  offset: string;
  /** When the bus took the message: when it happened, for events without a `time`. */
  timestamp: string;
}

interface Tail {
  revision: bigint | 'no_stream';
  /** The bus offset of the last archived message, or -1 when nothing is archived yet. */
  offset: bigint;
}

/**
 * Copies every valid domain event from the bus into the event store, where it is kept for good:
 * customer memory is projected from the store, can be rebuilt from position zero, and replays
 * see exactly the events that were decided on. Exactly once: each partition's stream remembers
 * the last offset it holds, and appends name the stream's exact revision, so a redelivered batch
 * or a consumer that lost its partition writes nothing twice.
 */
export class DomainArchiver {
  private consumer: Consumer | null = null;
  private readonly tails = new Map<string, Tail>();
  private readonly logger: Logger;

  constructor(
    private readonly bus: Bus,
    private readonly store: EventStore,
    readonly group: string,
    private readonly deps: { logger?: Logger; metrics?: Metrics } = {},
  ) {
    this.logger = deps.logger ?? silentLogger;
  }

  async start(): Promise<void> {
    this.consumer = consumeWithRestarts(
      this.bus,
      { group: this.group, topics: domainTopics, eachBatch: (batch) => this.archive(batch), maxBatchSize: 2_000 },
      { onFailure: (e, attempt) => this.logger.error('domain event archive failed; restarting from its offsets', { error: (e as Error).message, attempt }) },
    );
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = null;
  }

  /** Domain events on the bus not archived yet. */
  lag(): Promise<bigint> {
    return this.bus.lag(this.group, domainTopics);
  }

  private async archive(batch: Batch): Promise<void> {
    const stream = archiveStream(batch.topic, batch.partition);
    for (let attempt = 0; ; attempt++) {
      const tail = this.tails.get(stream) ?? (await this.readTail(stream));
      const events = this.toStoreEvents(batch, tail.offset);
      if (events.length === 0) return;
      try {
        const result = await this.store.append(stream, events, tail.revision);
        this.tails.set(stream, { revision: result.nextExpectedRevision, offset: batch.messages[batch.messages.length - 1].offset });
        this.deps.metrics?.counter('arbiter_domain_events_archived_total', 'Domain events kept in the event store').inc({ topic: batch.topic }, events.length);
        return;
      } catch (e) {
        // Another consumer wrote this partition's stream (a rebalance): learn its tail and go on from there.
        if (!(e instanceof WrongExpectedVersionError) || attempt >= 3) throw e;
        this.tails.delete(stream);
      }
    }
  }

  private toStoreEvents(batch: Batch, archivedUpTo: bigint): NewEvent[] {
    const events: NewEvent[] = [];
    for (const message of batch.messages) {
      if (message.offset <= archivedUpTo) continue;
      let event: DomainEvent;
      try {
        event = decodeDomainEvent(message.value);
      } catch (e) {
        // The reasoner dead-letters invalid events with the reason; the archive keeps only valid ones.
        if (!(e instanceof ContractViolation)) throw e;
        continue;
      }
      events.push(archivedEventOf(event, { topic: batch.topic, partition: batch.partition, offset: message.offset.toString(), timestamp: message.timestamp.toISOString() }));
    }
    return events;
  }

  private async readTail(stream: string): Promise<Tail> {
    try {
      for await (const last of this.store.readStream(stream, { direction: 'backwards', from: 'end', maxCount: 1 })) {
        const metadata = JSON.parse(Buffer.from(last.metadata!).toString('utf8')) as ArchivedMetadata;
        return { revision: last.revision, offset: BigInt(metadata.offset) };
      }
    } catch (e) {
      if (!(e instanceof StreamNotFoundError)) throw e;
    }
    return { revision: 'no_stream', offset: -1n };
  }
}

/** The store event that archives a domain event read from the bus at `where`; its id is derived from where. */
export function archivedEventOf(event: DomainEvent, where: ArchivedMetadata): NewEvent {
  return {
    id: uuidV5(`domain\n${where.topic}\n${where.partition}\n${where.offset}`),
    type: `${DOMAIN_EVENT_TYPE_PREFIX}${event.type}`,
    data: Buffer.from(JSON.stringify(event)),
    metadata: Buffer.from(JSON.stringify(where)),
  };
}

/** An archived domain event and when it happened (its `time`, or when the bus took it); it was validated on the way in. */
export function archivedDomainEvent(stored: StoredEvent): { event: DomainEvent; at: string; metadata: ArchivedMetadata } {
  const event = JSON.parse(utf8Text(stored.data)) as DomainEvent;
  const metadata = JSON.parse(utf8Text(stored.metadata!)) as ArchivedMetadata;
  return { event, at: event.time ?? metadata.timestamp, metadata };
}

/** The same, without where it came from: the metadata is read only for an event without a `time` (memory folds every archived event). */
export function archivedTimedEvent(stored: StoredEvent): TimedEvent {
  return timedEvent(utf8Text(stored.data), () => utf8Text(stored.metadata!));
}

/** The same, from an archived event read as text (`readAllText`). */
export function archivedTimedTextEvent(stored: TextEvent): TimedEvent {
  return timedEvent(stored.data, () => stored.metadata!);
}

function timedEvent(data: string, metadata: () => string): TimedEvent {
  const event = JSON.parse(data) as DomainEvent;
  return { event, at: event.time ?? (JSON.parse(metadata()) as ArchivedMetadata).timestamp };
}
