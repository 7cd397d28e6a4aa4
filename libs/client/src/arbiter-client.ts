import { randomUUID } from 'node:crypto';
import { Consumer, Kafka, Producer, logLevel } from 'kafkajs';
import { DECISIONS_TOPIC, DecisionMadeData, DomainEvent, DomainEventData, DomainEventType, decisionMadeData, parseDomainEvent, topicOf } from '@arbiter/contracts';

export interface ArbiterClientOptions {
  brokers: string[];
  /** The CloudEvents `source` of what this service publishes, e.g. `/shop/orders`. */
  source: string;
  clientId?: string;
  /** The environment prefix Arbiter runs with (ARBITER_TOPIC_PREFIX), if any. */
  topicPrefix?: string;
  /** How many decisions to remember for awaitDecision calls that come late. */
  remember?: number;
  /** How long a request to the broker may take (default 30 s), and how often a failed one is retried (kafkajs's default: 5). */
  requestTimeoutMs?: number;
  retries?: number;
}

/** What a service publishes: the event's type, subject and data; the client fills in the envelope. */
export type EventToPublish<T extends DomainEventType = DomainEventType> = {
  [K in T]: { type: K; subject: string; data: DomainEventData[K]; id?: string; time?: string };
}[T];

export interface DecisionEvent {
  id: string;
  subject: string;
  time: string;
  data: DecisionMadeData;
}

export class DecisionTimeoutError extends Error {
  readonly code = 'decision-timeout';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Seeks once the consumer group exists: on a broker that has just started, kafkajs restarts a
 * consumer whose group coordinator is not ready yet, and refuses seeks until it runs again.
 */
async function seekWhenRunning(consumer: Consumer, topic: string, ends: { partition: number; high: string }[]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      for (const e of ends) consumer.seek({ topic, partition: e.partition, offset: e.high });
      return;
    } catch (e) {
      if (attempt >= 300 || !/must be called first/.test((e as Error).message)) throw e;
      await sleep(100);
    }
  }
}

const newProducer = (kafka: Kafka): Producer => kafka.producer({ idempotent: true, maxInFlightRequests: 1 });

/** The end offsets of the decisions topic, creating it if Arbiter has not yet (and tolerating a race with it). */
async function decisionTopicEnds(kafka: Kafka, topic: string): Promise<{ partition: number; high: string }[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) {
      await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: false }).catch((e: Error) => {
        if (!/already exists/i.test(e.message)) throw e;
      });
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const ends = await admin.fetchTopicOffsets(topic);
        if (ends.length > 0) return ends;
      } catch (e) {
        if (attempt >= 100) throw e;
      }
      await sleep(100);
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * The service team's side of Arbiter: publish domain events (validated against the contracts
 * before they leave) and wait for the decision Arbiter makes about one of them.
 */
export class ArbiterClient {
  private readonly decisions = new Map<string, DecisionEvent>();
  private readonly waiters = new Map<string, ((d: DecisionEvent) => void)[]>();

  private constructor(
    private readonly options: ArbiterClientOptions,
    private readonly kafka: Kafka,
    private producer: Promise<Producer>,
    private readonly consumer: Consumer,
  ) {}

  static async connect(options: ArbiterClientOptions): Promise<ArbiterClient> {
    const kafka = new Kafka({
      clientId: options.clientId ?? 'arbiter-client',
      brokers: options.brokers,
      logLevel: logLevel.NOTHING,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      retry: options.retries === undefined ? undefined : { retries: options.retries },
    });
    const topic = `${options.topicPrefix ?? ''}${DECISIONS_TOPIC}`;
    const ends = await decisionTopicEnds(kafka, topic);
    const producer = newProducer(kafka);
    const consumer = kafka.consumer({ groupId: `arbiter-client-${randomUUID()}`, allowAutoTopicCreation: false });
    try {
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topics: [topic] });
      const client = new ArbiterClient(options, kafka, Promise.resolve(producer), consumer);
      await consumer.run({ autoCommit: false, eachMessage: async ({ message }) => client.receive(message.value) });
      // Decisions from now on: anything published after connect() is seen, nothing older is replayed.
      await seekWhenRunning(consumer, topic, ends);
      return client;
    } catch (e) {
      await consumer.disconnect().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
      throw e;
    }
  }

  /** Validates and publishes a domain event, keyed by its subject; returns the CloudEvent sent. */
  async publish(event: EventToPublish): Promise<DomainEvent> {
    const cloudEvent = parseDomainEvent({
      specversion: '1.0',
      id: event.id ?? randomUUID(),
      source: this.options.source,
      type: event.type,
      subject: event.subject,
      time: event.time ?? new Date().toISOString(),
      datacontenttype: 'application/json',
      data: event.data,
    });
    const producing = this.producer;
    try {
      await (await producing).send({
        topic: `${this.options.topicPrefix ?? ''}${topicOf(cloudEvent.type)}`,
        acks: -1,
        messages: [{ key: cloudEvent.subject, value: JSON.stringify(cloudEvent), headers: { 'content-type': 'application/cloudevents+json', 'ce-type': cloudEvent.type, 'ce-id': cloudEvent.id } }],
      });
    } catch (e) {
      this.replaceProducer(producing);
      throw e;
    }
    return cloudEvent;
  }

  /**
   * A failed send may still have been written. The idempotent producer would number its next batch
   * to that partition as the lost one, which the broker would acknowledge as a duplicate and drop;
   * a new producer (a new producer id) cannot be mistaken for the old one.
   */
  private replaceProducer(failed: Promise<Producer>): void {
    if (this.producer !== failed) return;
    const next = newProducer(this.kafka);
    this.producer = next.connect().then(() => next);
    // Not an unhandled rejection: a failed connection fails the next publish, which replaces it again.
    this.producer.catch(() => undefined);
    void failed.then((p) => p.disconnect()).catch(() => undefined);
  }

  /** The decision Arbiter made about the event with this id; rejects with DecisionTimeoutError. */
  awaitDecision(eventId: string, timeoutMs = 10_000): Promise<DecisionEvent> {
    const known = this.decisions.get(eventId);
    if (known) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.set(eventId, (this.waiters.get(eventId) ?? []).filter((w) => w !== waiter));
        reject(new DecisionTimeoutError(`no decision about event ${eventId} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (d: DecisionEvent) => {
        clearTimeout(timer);
        resolve(d);
      };
      this.waiters.set(eventId, [...(this.waiters.get(eventId) ?? []), waiter]);
    });
  }

  async close(): Promise<void> {
    await this.consumer.disconnect();
    await (await this.producer.catch(() => null))?.disconnect();
  }

  private receive(value: Buffer | null): void {
    if (!value) return;
    let decision: DecisionEvent;
    try {
      const event = JSON.parse(value.toString('utf8')) as { id: string; subject: string; time: string; data: unknown };
      decision = { id: event.id, subject: event.subject, time: event.time, data: decisionMadeData.parse(event.data) };
    } catch {
      return;
    }
    const eventId = decision.data.trigger.eventId;
    this.decisions.set(eventId, decision);
    if (this.decisions.size > (this.options.remember ?? 10_000)) this.decisions.delete(this.decisions.keys().next().value as string);
    for (const waiter of this.waiters.get(eventId) ?? []) waiter(decision);
    this.waiters.delete(eventId);
  }
}
