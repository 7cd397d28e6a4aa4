/**
 * The bus port: partitioned, ordered topics with consumer groups, as Kafka has them. The
 * in-process engine and Kafka both sit behind it, so a service team's event takes the same
 * path in the all-in-one and the distributed mode.
 */

export interface OutgoingMessage {
  /** The partitioning key: the CloudEvent subject, so one subject's messages stay in order. */
  key: string;
  value: Uint8Array | string;
  headers?: Record<string, string>;
}

export interface BusMessage {
  topic: string;
  partition: number;
  offset: bigint;
  key: string | null;
  value: Uint8Array;
  headers: Record<string, string>;
  timestamp: Date;
}

export interface Batch {
  topic: string;
  partition: number;
  /** In offset order; the whole batch is committed once the handler resolves. */
  messages: BusMessage[];
  /** Tells the group this consumer is alive while a handler waits (e.g. backing off); Kafka needs it. */
  heartbeat?: () => Promise<void>;
}

export interface TopicSpec {
  name: string;
  partitions: number;
}

export interface ConsumeOptions {
  group: string;
  topics: string[];
  /**
   * Called with one partition's messages at a time. Offsets are committed only after it
   * resolves, so a crash redelivers the batch (at-least-once). A rejection stops the consumer.
   */
  eachBatch: (batch: Batch) => Promise<void>;
  maxBatchSize?: number;
}

export interface Consumer {
  /** Finishes the batch in hand, commits it, and stops. */
  stop(): Promise<void>;
  /** Resolves when the consumer stops (stopped, or failed with the handler's error). */
  readonly done: Promise<void>;
}

export interface Bus {
  ensureTopics(topics: TopicSpec[]): Promise<void>;
  publish(topic: string, messages: OutgoingMessage[]): Promise<void>;
  consume(options: ConsumeOptions): Promise<Consumer>;
  /** Messages published to the topics that the group has not committed yet. */
  lag(group: string, topics: string[]): Promise<bigint>;
  close(): Promise<void>;
}

/**
 * Header naming a message's identity for producers that may send it twice (the decision
 * relay after a crash): a bus publishes at most one message per key and topic.
 */
export const DEDUPE_HEADER = 'arbiter-dedupe-key';

export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}
