import type { Admin } from 'kafkajs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Creates the topics that do not exist yet and waits until the broker serves them. Two
 * processes may create the same topic at once, and a new topic's metadata takes a moment to
 * spread; neither is an error here.
 */
export async function createTopicsIfMissing(admin: Admin, topics: { topic: string; numPartitions: number }[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.topic));
  if (missing.length > 0) {
    try {
      await admin.createTopics({ topics: missing, waitForLeaders: false });
    } catch (e) {
      if (!/already exists/i.test((e as Error).message)) throw e;
    }
  }
  for (const { topic } of missing) {
    for (let attempt = 0; ; attempt++) {
      try {
        const offsets = await admin.fetchTopicOffsets(topic);
        if (offsets.length > 0) break;
      } catch (e) {
        if (attempt >= 100) throw e;
      }
      await sleep(100);
    }
  }
}
