import { randomUUID } from 'node:crypto';
import { Kafka } from 'kafkajs';
import { DEDUPE_HEADER } from '@arbiter/bus';

const MAX_KEYS = 200_000;

/**
 * The dedupe keys a topic already carries. A producer that may resend after a crash (the
 * decision relay resumes from its last checkpoint) reads the newest `window` messages of each
 * partition once, then remembers what it sends; a key seen before is not sent again.
 */
export class SeenKeys {
  private readonly keys = new Set<string>();

  claim(key: string | undefined): boolean {
    if (key === undefined) return true;
    if (this.keys.has(key)) return false;
    if (this.keys.size >= MAX_KEYS) this.keys.delete(this.keys.values().next().value as string);
    this.keys.add(key);
    return true;
  }

  static async load(kafka: Kafka, topic: string, window: number): Promise<SeenKeys> {
    const seen = new SeenKeys();
    const admin = kafka.admin();
    await admin.connect();
    let ends: { partition: number; high: string; low: string }[];
    try {
      const topics = await admin.listTopics();
      if (!topics.includes(topic)) return seen;
      ends = await admin.fetchTopicOffsets(topic);
    } finally {
      await admin.disconnect();
    }
    const pending = new Map(ends.filter((e) => BigInt(e.high) > BigInt(e.low)).map((e) => [e.partition, BigInt(e.high)]));
    if (pending.size === 0) return seen;
    const consumer = kafka.consumer({ groupId: `arbiter-dedupe-${randomUUID()}`, allowAutoTopicCreation: false });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              for (const m of batch.messages) {
                const key = m.headers?.[DEDUPE_HEADER];
                if (key !== undefined) seen.claim(String(Array.isArray(key) ? key[0] : key));
                if (BigInt(m.offset) + 1n >= (pending.get(batch.partition) ?? 0n)) pending.delete(batch.partition);
              }
              if (pending.size === 0) resolve();
            },
          })
          .catch(reject);
        for (const e of ends) {
          const start = BigInt(e.high) - BigInt(window);
          consumer.seek({ topic, partition: e.partition, offset: (start > BigInt(e.low) ? start : BigInt(e.low)).toString() });
        }
      });
    } finally {
      await consumer.disconnect();
    }
    return seen;
  }
}
