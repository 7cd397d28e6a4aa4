import { Admin, Consumer as KafkaConsumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Producer, logLevel } from 'kafkajs';
import { Batch, Bus, BusMessage, ConsumeOptions, Consumer, DEDUPE_HEADER, OutgoingMessage, TopicSpec } from '@arbiter/bus';
import { SeenKeys } from './seen-keys';
import { createTopicsIfMissing } from './topics';

export interface KafkaBusOptions {
  brokers: string[];
  clientId?: string;
  /** How many of each partition's newest messages are read to learn which dedupe keys were sent before a restart. */
  dedupeWindow?: number;
  /** How long a request to the broker may take (default 30 s), and how often a failed one is retried (default 8 times, backing off from 200 ms). */
  requestTimeoutMs?: number;
  retries?: number;
}

const DEFAULT_PARTITIONS = 4;
const MAX_CONCURRENT_PARTITIONS = 16;

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? String(v[0]) : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  }
  return out;
}

function toBusMessage(topic: string, partition: number, m: KafkaMessage): BusMessage {
  return {
    topic,
    partition,
    offset: BigInt(m.offset),
    key: m.key ? m.key.toString('utf8') : null,
    value: m.value ? new Uint8Array(m.value.buffer, m.value.byteOffset, m.value.byteLength) : new Uint8Array(),
    headers: headersOf(m.headers),
    timestamp: new Date(Number(m.timestamp)),
  };
}

/**
 * The bus on Apache Kafka (kafkajs): the subject is the message key, so one customer's
 * events stay in one partition, in order; the idempotent producer writes each send once;
 * consumers commit offset + 1 only after the handler resolves (at-least-once).
 */
export class KafkaBus implements Bus {
  private readonly kafka: Kafka;
  // Promises, not clients: callers racing to the first use share one connection instead of each
  // opening one and leaking all but the last.
  private admin: Promise<Admin> | null = null;
  private producer: Promise<Producer> | null = null;
  private closed = false;
  private readonly consumers = new Set<Consumer>();
  private readonly seen = new Map<string, Promise<SeenKeys>>();
  private readonly knownTopics = new Set<string>();

  constructor(private readonly options: KafkaBusOptions) {
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'arbiter',
      brokers: options.brokers,
      logLevel: logLevel.NOTHING,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      retry: { initialRetryTime: 200, retries: options.retries ?? 8 },
    });
  }

  private connectedAdmin(): Promise<Admin> {
    if (!this.admin) {
      this.admin = connected(this.kafka.admin());
      this.admin.catch(() => (this.admin = null));
    }
    return this.admin;
  }

  private connectedProducer(): Promise<Producer> {
    if (!this.producer) {
      this.producer = connected(this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false }));
      this.producer.catch(() => (this.producer = null));
    }
    return this.producer;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the Kafka bus is closed');
  }

  async ensureTopics(topics: TopicSpec[]): Promise<void> {
    this.assertOpen();
    if (topics.every((t) => this.knownTopics.has(t.name))) return;
    await createTopicsIfMissing(await this.connectedAdmin(), topics.map((t) => ({ topic: t.name, numPartitions: t.partitions })));
    for (const t of topics) this.knownTopics.add(t.name);
  }

  async publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const needsDedupe = messages.some((m) => m.headers?.[DEDUPE_HEADER] !== undefined);
    const seen = needsDedupe ? await this.seenKeys(topic) : null;
    const batch = seen ? messages.filter((m) => seen.claim(m.headers?.[DEDUPE_HEADER])) : messages;
    if (batch.length === 0) return;
    await this.ensureTopics([{ name: topic, partitions: DEFAULT_PARTITIONS }]);
    const producing = this.connectedProducer();
    try {
      const producer = await producing;
      await producer.send({
        topic,
        acks: -1,
        messages: batch.map((m) => ({ key: m.key, value: typeof m.value === 'string' ? m.value : Buffer.from(m.value), headers: m.headers })),
      });
    } catch (e) {
      // The keys were claimed before sending, and a failed send may have delivered some, all or
      // none of the batch: forget them and learn again from the topic itself before the next
      // publish, so a resend delivers exactly what is missing.
      if (seen) this.seen.delete(topic);
      this.retireProducer(producing);
      throw e;
    }
  }

  /**
   * After a failed send the producer is replaced. The broker may have written the batch whose
   * acknowledgement was lost; the idempotent producer, not knowing, would number its next batch to
   * that partition as the lost one, and the broker would acknowledge it as a duplicate and drop
   * it. A new producer gets a new producer id, so its batches can never be mistaken for old ones.
   */
  private retireProducer(producing: Promise<Producer>): void {
    if (this.producer !== producing) return;
    this.producer = null;
    void producing.then((p) => p.disconnect()).catch(() => undefined);
  }

  /** Dedupe keys already on the topic, learnt once per topic from its newest messages. */
  private seenKeys(topic: string): Promise<SeenKeys> {
    let seen = this.seen.get(topic);
    if (!seen) {
      seen = SeenKeys.load(this.kafka, topic, this.options.dedupeWindow ?? 10_000);
      this.seen.set(topic, seen);
      seen.catch(() => this.seen.delete(topic));
    }
    return seen;
  }

  async consume(options: ConsumeOptions): Promise<Consumer> {
    await this.ensureTopics(options.topics.map((name) => ({ name, partitions: DEFAULT_PARTITIONS })));
    const max = options.maxBatchSize ?? 500;
    const consumer: KafkaConsumer = this.kafka.consumer({ groupId: options.group, allowAutoTopicCreation: false, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    let failure: Error | null = null;
    let stopping = false;
    const inFlight = new Set<Promise<void>>();
    let settle!: (error: Error | null) => void;
    const finished = new Promise<Error | null>((resolve) => (settle = resolve));
    await consumer.connect();
    await consumer.subscribe({ topics: options.topics, fromBeginning: true });

    const eachBatch = async (payload: EachBatchPayload) => {
      const handling = handleBatch(payload);
      const settled = handling.then(() => undefined, () => undefined);
      inFlight.add(settled);
      try {
        await handling;
      } finally {
        inFlight.delete(settled);
      }
    };
    const handleBatch = async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) => {
      for (let i = 0; i < batch.messages.length && isRunning() && !isStale() && !failure && !stopping; i += max) {
        const chunk: Batch = {
          topic: batch.topic,
          partition: batch.partition,
          messages: batch.messages.slice(i, i + max).map((m) => toBusMessage(batch.topic, batch.partition, m)),
          heartbeat,
        };
        try {
          await options.eachBatch(chunk);
        } catch (e) {
          // Stop without committing: the batch is redelivered to whoever consumes next.
          failure = e as Error;
          consumer.pause(options.topics.map((topic) => ({ topic })));
          setImmediate(() => void consumer.disconnect().finally(() => settle(failure)));
          return;
        }
        const last = chunk.messages[chunk.messages.length - 1].offset;
        resolveOffset(last.toString());
        // Kafka's rule: commit the offset of the next message to read.
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (last + 1n).toString() }]);
        await heartbeat();
      }
    };
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) settle(event.payload.error);
    });
    // Partitions are handled side by side (one partition's messages always in order): a slow
    // subject holds back only the subjects that share its partition.
    const partitionsConsumedConcurrently = Math.min(MAX_CONCURRENT_PARTITIONS, options.topics.length * DEFAULT_PARTITIONS);
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently, eachBatch });

    const handle: Consumer = {
      done: finished.then((error) => {
        if (error) throw error;
      }),
      stop: async () => {
        // Let the batch in hand finish and commit before leaving the group.
        stopping = true;
        await Promise.all(inFlight);
        await consumer.disconnect();
        settle(failure);
        this.consumers.delete(handle);
        await handle.done.catch(() => undefined);
      },
    };
    handle.done.catch(() => this.consumers.delete(handle));
    this.consumers.add(handle);
    return handle;
  }

  async lag(group: string, topics: string[]): Promise<bigint> {
    this.assertOpen();
    const admin = await this.connectedAdmin();
    const committed = await admin.fetchOffsets({ groupId: group, topics });
    let lag = 0n;
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const end of ends) {
        const at = mine.find((p) => p.partition === end.partition)?.offset ?? '-1';
        const from = at === '-1' ? BigInt(end.low) : BigInt(at);
        lag += BigInt(end.high) - from;
      }
    }
    return lag;
  }

  async close(): Promise<void> {
    // Closed first, so nothing that runs while the consumers drain opens a new connection.
    this.closed = true;
    await Promise.all([...this.consumers].map((c) => c.stop()));
    const clients: (Promise<Admin | Producer> | null)[] = [this.producer, this.admin];
    this.producer = null;
    this.admin = null;
    // Dedupe windows being learnt close their own clients when done.
    await Promise.allSettled(this.seen.values());
    await Promise.all(clients.map(async (client) => (await client?.catch(() => null))?.disconnect()));
  }
}

async function connected<T extends { connect(): Promise<void> }>(client: T): Promise<T> {
  await client.connect();
  return client;
}
