import { randomUUID } from 'node:crypto';
import { DECISIONS_TOPIC, DomainEvent, decisionMadeData } from '@arbiter/contracts';
import { consumeN } from '@arbiter/bus/testing';
import { LedgerRecord, collectLedgerLeaves, parseRecord, verifyRecords } from '@arbiter/ledger';
import type { CustomerMemory, DecisionView } from '@arbiter/memory';
import { Simulator, publishDomainEvents } from '@arbiter/simulator';
import { API_KEY, BUSES, Running, freshDataDir, startAllInOne } from './harness';

const get = (r: Running, path: string) => fetch(`${r.url}${path}`, { headers: { authorization: `Bearer ${API_KEY}` } });

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

  it('makes exactly one decision per order.placed, and none for events no decision point takes', async () => {
    const counts = await decisionsByTrigger(running);
    expect(orders.length).toBeGreaterThan(50);
    expect(counts.size).toBe(orders.length);
    for (const o of orders) expect(counts.get(o.id)).toBe(1);
  });

  it('leaves a ledger in which every signature, hash and link verifies against the root key', async () => {
    const report = verifyRecords(await collectLedgerLeaves(running.core.platform.store), { trustRoot: running.core.keyRing.root });
    expect(report.failures).toEqual([]);
    expect(report.entries).toBe(orders.length + 3);
  });

  it('relays each decision once to arbiter.decisions as a CloudEvent', async () => {
    const messages = await consumeN(running.core.platform.bus, `e2e-${randomUUID()}`, [DECISIONS_TOPIC], orders.length, 5_000);
    expect(messages).toHaveLength(orders.length);
    const ids = new Set<string>();
    for (const m of messages) {
      const ce = JSON.parse(Buffer.from(m.value).toString('utf8'));
      expect(ce).toMatchObject({ specversion: '1.0', type: 'arbiter.decision.made', subject: m.key });
      ids.add(decisionMadeData.parse(ce.data).decisionId);
    }
    expect(ids.size).toBe(orders.length);
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
    expect(list.decisions.length).toBe(orders.filter((o) => o.subject === customer).length);
    const detail = (await (await get(running, `/v1/decisions/${list.decisions[0].decisionId}`)).json()) as { record: LedgerRecord };
    expect(detail.record).toMatchObject({ v: 1, type: 'decision', chain: `decisions-${customer}`, hash: list.decisions[0].ledger.hash });
    expect(detail.record.body.policy).toMatchObject({ id: 'order-fulfillment', version: 1 });
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
    const expected = [...first, ...second].filter((e) => e.type === 'order.placed').length;
    expect(after.size).toBe(expected);
    expect([...after.values()].every((n) => n === 1)).toBe(true);
    expect(after.size).toBeGreaterThan(before.size);
    const report = verifyRecords(await collectLedgerLeaves(running.core.platform.store), { trustRoot: running.core.keyRing.root });
    expect(report.failures).toEqual([]);
    await running.close();
  });
});
