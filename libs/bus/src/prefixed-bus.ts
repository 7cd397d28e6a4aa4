import type { Bus, ConsumeOptions, Consumer, OutgoingMessage, TopicSpec } from './bus';

/**
 * One Kafka cluster, several environments: every topic name gets a prefix on the wire
 * (`staging.commerce.orders`), and handlers still see the contract names.
 */
export function withTopicPrefix(bus: Bus, prefix: string): Bus {
  if (!prefix) return bus;
  const wire = (topic: string) => `${prefix}${topic}`;
  const contract = (topic: string) => (topic.startsWith(prefix) ? topic.slice(prefix.length) : topic);
  return {
    ensureTopics: (topics: TopicSpec[]) => bus.ensureTopics(topics.map((t) => ({ ...t, name: wire(t.name) }))),
    publish: (topic: string, messages: OutgoingMessage[]) => bus.publish(wire(topic), messages),
    consume: (options: ConsumeOptions): Promise<Consumer> =>
      bus.consume({
        ...options,
        topics: options.topics.map(wire),
        eachBatch: (batch) =>
          options.eachBatch({ ...batch, topic: contract(batch.topic), messages: batch.messages.map((m) => ({ ...m, topic: contract(m.topic) })) }),
      }),
    lag: (group: string, topics: string[]) => bus.lag(group, topics.map(wire)),
    close: () => bus.close(),
  };
}
