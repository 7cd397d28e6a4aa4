import { randomUUID } from 'node:crypto';
import { DECISIONS_TOPIC, DomainEvent, decisionMadeData } from '@arbiter/contracts';
import { consumeN } from '@arbiter/bus/testing';
import { LedgerRecord, collectLedgerLeaves, parseRecord, verifyRecords } from '@arbiter/ledger';
import type { CustomerMemory, DecisionView } from '@arbiter/memory';
import { Simulator, publishDomainEvents } from '@arbiter/simulator';
import { SERVICE_KEYS } from '@arbiter/runtime';
import { API_KEY, BUSES, Running, freshDataDir, startAllInOne } from './harness';

const get = (r: Running, path: string) => fetch(`${r.url}${path}`, { headers: { authorization: `Bearer ${API_KEY}` } });

/** The events some decision point takes: orders, failed payments, usage reports and disputes. */
const deciding = (r: Running, events: DomainEvent[]) => events.filter((e) => r.core.engine.pointsFor(e.type).length > 0);

/** Decisions that are final without a human; escalated ones are relayed only once reviewed. */
async function finalDecisions(r: Running): Promise<number> {
  return (await collectLedgerLeaves(r.core.platform.store)).map((l) => parseRecord(l.text)).filter((x) => x.type === 'decision' && (x.body.verdict as { outcome: string }).outcome !== 'escalated').length;
}

async function decisionsByTrigger(r: Running): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const { text } of await collectLedgerLeaves(r.core.platform.store)) {
    const record = parseRecord(text);
    if (record.type !== 'decision') continue;
    const trigger = (record.body.trigger as { eventId: string }).eventId;
    counts.set(trigger, (counts.get(trigger) ?? 0) + 1);
  }
  return counts;
}

describe.each(BUSES)('all-in-one on the %s: from domain event to signed decision and the projections it feeds', (_bus, busConfig) => {
  const dataDir = freshDataDir();
  const events: DomainEvent[] = [...new Simulator({ seed: 11 }).take(400)];
  const orders = events.filter((e) => e.type === 'order.placed');
  let running: Running;

  beforeAll(async () => {
    running = await startAllInOne(dataDir, busConfig());
    await publishDomainEvents(running.core.platform.bus, events);
    await running.settle();
  });
  afterAll(() => running.close());

  it('makes exactly one decision per event a decision point takes (orders, failed payments, usage reports, disputes), and none for the others', async () => {
    const counts = await decisionsByTrigger(running);
    expect(orders.length).toBeGreaterThan(50);
    expect(counts.size).toBe(deciding(running, events).length);
    for (const e of deciding(running, events)) expect(counts.get(e.id)).toBe(1);
  });

  it('leaves a ledger in which every signature, hash and link verifies against the root key', async () => {
    const report = verifyRecords(await collectLedgerLeaves(running.core.platform.store), { trustRoot: running.core.keyRing.root });
    expect(report.failures).toEqual([]);
    // Besides the decisions: a registration per service key, and a publication per policy.
    const types = (await collectLedgerLeaves(running.core.platform.store)).map((l) => parseRecord(l.text).type);
    expect(types.filter((t) => t === 'decision')).toHaveLength(deciding(running, events).length);
    expect(types.filter((t) => t === 'key')).toHaveLength(SERVICE_KEYS.length);
    expect(types.filter((t) => t === 'policy')).toHaveLength(running.core.policies.all().length);
    expect(report.entries).toBe(types.length);
  });

  it('relays each final decision once to arbiter.decisions as a CloudEvent', async () => {
    const final = await finalDecisions(running);
    const messages = await consumeN(running.core.platform.bus, `e2e-${randomUUID()}`, [DECISIONS_TOPIC], final + 1, 5_000);
    expect(messages).toHaveLength(final);
    const ids = new Set<string>();
    for (const m of messages) {
      const ce = JSON.parse(Buffer.from(m.value).toString('utf8'));
      expect(ce).toMatchObject({ specversion: '1.0', type: 'arbiter.decision.made', subject: m.key });
      ids.add(decisionMadeData.parse(ce.data).decisionId);
    }
    expect(ids.size).toBe(final);
  });

  it('remembers what each customer did: orders and lifetime value match the events', async () => {
    const customer = orders[0].subject;
    const mine = orders.filter((o) => o.subject === customer);
    const memory = (await (await get(running, `/v1/customers/${customer}/memory`)).json()) as CustomerMemory;
    expect(memory.stats.orders).toBe(mine.length);
    expect(memory.stats.lifetimeValueCents).toBe(mine.reduce((n, o) => n + (o.data as { totalCents: number }).totalCents, 0));
    expect(memory.decisions.length).toBeGreaterThan(0);
  });

  it('serves a decision with its signed record, and lists a customer\'s decisions', async () => {
    const customer = orders[0].subject;
    const list = (await (await get(running, `/v1/decisions?customer=${customer}&limit=100`)).json()) as { decisions: DecisionView[] };
    expect(list.decisions.length).toBe(deciding(running, events).filter((e) => e.subject === customer).length);
    const detail = (await (await get(running, `/v1/decisions/${list.decisions[0].decisionId}`)).json()) as { record: LedgerRecord };
    expect(detail.record).toMatchObject({ v: 1, type: 'decision', chain: `decisions-${customer}`, hash: list.decisions[0].ledger.hash });
    expect(detail.record.body.policy).toMatchObject({ id: expect.any(String), version: expect.any(Number), digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect((detail.record.body.context as { memoryDigest: string }).memoryDigest).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe.each(BUSES)('all-in-one on the %s across a restart', (_bus, busConfig) => {
  it('resumes from its checkpoints: redelivered events add no decisions, new ones continue the chains', async () => {
    const dataDir = freshDataDir();
    const config = busConfig();
    const simulator = new Simulator({ seed: 21 });
    const first = [...simulator.take(150)];
    const second = [...simulator.take(150)];
    let running = await startAllInOne(dataDir, config);
    await publishDomainEvents(running.core.platform.bus, first);
    await running.settle();
    const before = await decisionsByTrigger(running);
    await running.close();

    running = await startAllInOne(dataDir, config);
    await publishDomainEvents(running.core.platform.bus, [...first, ...second]);
    await running.settle();
    const after = await decisionsByTrigger(running);
    const expected = deciding(running, [...first, ...second]).length;
    expect(after.size).toBe(expected);
    expect([...after.values()].every((n) => n === 1)).toBe(true);
    expect(after.size).toBeGreaterThan(before.size);
    const report = verifyRecords(await collectLedgerLeaves(running.core.platform.store), { trustRoot: running.core.keyRing.root });
    expect(report.failures).toEqual([]);
    await running.close();
    // Two starts and two settles on a real broker, deciding at four decision points.
  }, 120_000);
});
