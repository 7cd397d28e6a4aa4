import { execFileSync } from 'node:child_process';
import { DomainEvent, topicOf } from '@arbiter/contracts';
import { collectLedgerLeaves, parseRecord } from '@arbiter/ledger';
import { Simulator } from '@arbiter/simulator';
import { BUSES, Running, freshDataDir, startAllInOne } from './harness';

/** kcat (Debian's package): a Kafka client nobody here wrote. */
function kcat(args: string[], input?: string): string {
  return execFileSync('kcat', args, { input, encoding: 'utf8', timeout: 60_000 });
}

describe('a client nobody here wrote: kcat on the real broker', () => {
  let running: Running;
  let brokers: string;
  let prefix: string;
  const events: DomainEvent[] = [...new Simulator({ seed: 77 }).take(200)];
  const orders = events.filter((e) => e.type === 'order.placed');
  const poison = ['{"specversion":"1.0",', '{"hello":"world"}', JSON.stringify({ ...orders[0], id: 'bad-1', data: { ...orders[0].data, totalCents: 'lots' } })];

  beforeAll(async () => {
    const config = BUSES[1][1]();
    brokers = config.kafkaBrokers!;
    prefix = config.topicPrefix!;
    running = await startAllInOne(freshDataDir(), config);
    // Poison first, on the same key as real orders: it must not hold the partition back.
    kcat(['-b', brokers, '-t', `${prefix}commerce.orders`, '-P', '-K', '\t'], poison.map((p) => `${orders[0].subject}\t${p}`).join('\n') + '\n');
    const byTopic = new Map<string, DomainEvent[]>();
    for (const e of events) byTopic.set(topicOf(e.type), [...(byTopic.get(topicOf(e.type)) ?? []), e]);
    for (const [topic, list] of byTopic) {
      kcat(['-b', brokers, '-t', `${prefix}${topic}`, '-P', '-K', '\t'], list.map((e) => `${e.subject}\t${JSON.stringify(e)}`).join('\n') + '\n');
    }
    await running.settle();
  }, 180_000);
  afterAll(() => running?.close());

  it('gives each CloudEvent produced with kcat exactly one final decision on arbiter.decisions, read back with kcat', async () => {
    // Escalated decisions wait for a human before they are relayed.
    const escalated = new Set(
      (await collectLedgerLeaves(running.core.platform.store))
        .map((l) => parseRecord(l.text))
        .filter((r) => r.type === 'decision' && (r.body.verdict as { outcome: string }).outcome === 'escalated')
        .map((r) => (r.body.trigger as { eventId: string }).eventId),
    );
    const expected = events.filter((e) => running.core.engine.pointsFor(e.type).length > 0 && !escalated.has(e.id));
    const out = kcat(['-b', brokers, '-C', '-t', `${prefix}arbiter.decisions`, '-o', 'beginning', '-e', '-q', '-f', '%k\t%s\n']);
    const decisions = out.trim().split('\n').map((line) => {
      const [key, value] = line.split('\t');
      return { key, event: JSON.parse(value) };
    });
    expect(decisions).toHaveLength(expected.length);
    const triggers = decisions.map((d) => d.event.data.trigger.eventId).sort();
    expect(triggers).toEqual(expected.map((e) => e.id).sort());
    for (const d of decisions) {
      expect(d.event.type).toBe('arbiter.decision.made');
      expect(d.key).toBe(d.event.subject);
      expect(d.event.data.trigger.topic).toBe(topicOf(d.event.data.trigger.type));
    }
  });

  it('puts malformed messages on commerce.orders.dlq with the reason in a header', () => {
    const out = kcat(['-b', brokers, '-C', '-t', `${prefix}commerce.orders.dlq`, '-o', 'beginning', '-e', '-q', '-f', '%h\t%s\n']);
    const dead = out.trim().split('\n');
    expect(dead).toHaveLength(poison.length);
    expect(dead.map((line) => line.slice(line.indexOf('\t') + 1))).toEqual(poison);
    expect(dead[0]).toMatch(/dlq-reason=not JSON/);
    expect(dead[1]).toMatch(/dlq-reason=not a CloudEvent 1.0/);
    expect(dead[2]).toMatch(/dlq-reason=invalid order.placed data: totalCents/);
  });
});
