import type { Bus } from '@arbiter/bus';
import { DomainEvent, topicOf } from '@arbiter/contracts';

/** Publishes domain events as CloudEvents in JSON structured mode, keyed by subject. */
export async function publishDomainEvents(bus: Bus, events: DomainEvent[]): Promise<void> {
  const byTopic = new Map<string, DomainEvent[]>();
  for (const e of events) byTopic.set(topicOf(e.type), [...(byTopic.get(topicOf(e.type)) ?? []), e]);
  for (const [topic, list] of byTopic) {
    await bus.publish(
      topic,
      list.map((e) => ({ key: e.subject, value: JSON.stringify(e), headers: { 'content-type': 'application/cloudevents+json', 'ce-type': e.type, 'ce-id': e.id } })),
    );
  }
}
