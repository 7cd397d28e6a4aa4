import { Kafka, logLevel } from 'kafkajs';
import { consumeN } from '@arbiter/bus/testing';
import { DECISIONS_TOPIC, DomainEvent } from '@arbiter/contracts';
import type { EventStore } from '@arbiter/event-store';
import { LedgerRecord, collectLedgerLeaves, parseRecord, verifyRecords } from '@arbiter/ledger';
import { Simulator, publishDomainEvents } from '@arbiter/simulator';
import { DistributedCluster, sleep, triggeringTypes, until } from './distributed-cluster';

async function ledgerRecords(store: EventStore): Promise<LedgerRecord[]> {
  return (await collectLedgerLeaves(store)).map((l) => parseRecord(l.text));
}

const triggerOf = (r: LedgerRecord) => String((r.body.trigger as { eventId: string }).eventId);
const decisionsIn = (records: LedgerRecord[]) => records.filter((r) => r.type === 'decision').map(triggerOf);

/** What every distributed run must end with: each trigger decided once, chains verified, final decisions relayed once. */
async function expectEveryDecisionOnceAndVerified(cluster: DistributedCluster, store: EventStore, expected: Set<string>): Promise<void> {
  const records = await ledgerRecords(store);
  const triggers = decisionsIn(records);
  expect(triggers.length).toBe(expected.size);
  expect(new Set(triggers)).toEqual(expected);
  const root = records.find((r) => r.chain === 'keys')!.signer;
  expect(verifyRecords(await collectLedgerLeaves(store), { trustRoot: root, ledger: cluster.ledger }).failures).toEqual([]);

  // Escalated decisions wait for a human before they are relayed.
  const final = new Set(records.filter((r) => r.type === 'decision' && (r.body.verdict as { outcome: string }).outcome !== 'escalated').map(triggerOf));
  const bus = cluster.bus();
  try {
    const relayed = await consumeN(bus, `check-${cluster.run}`, [DECISIONS_TOPIC], final.size + 1, 20_000);
    const ids = relayed.map((m) => JSON.parse(Buffer.from(m.value).toString('utf8')).data.trigger.eventId as string);
    expect(ids.length).toBe(final.size);
    expect(new Set(ids)).toEqual(final);
  } finally {
    await bus.close();
  }
}

async function publish(cluster: DistributedCluster, events: DomainEvent[]): Promise<void> {
  const bus = cluster.bus();
  await publishDomainEvents(bus, events).finally(() => bus.close());
}

describe('distributed: one process per app, on esdb-lite (EventStoreDB protocol), PostgreSQL and Kafka', () => {
  let cluster: DistributedCluster;
  let store: EventStore;
  beforeEach(async () => {
    cluster = await DistributedCluster.start();
    store = cluster.store();
  }, 120_000);
  afterEach(async () => {
    await store.close();
    await cluster.dispose();
  }, 60_000);

  it('two reasoner processes share the work; one is SIGKILLed mid-stream and restarted: nothing lost, nothing twice, chains verify, each decision relayed once', async () => {
    await cluster.serve('projector');
    const reasonerA = await cluster.serve('reasoner');
    await cluster.serve('reasoner');
    const kafka = new Kafka({ brokers: cluster.brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await until('both reasoners in the group', async () => (await admin.describeGroups([`${cluster.ledger}.reasoner`])).groups[0]?.members.length === 2, 60_000);
    await admin.disconnect();

    const events = [...new Simulator({ seed: 99 }).take(800)];
    const triggering = triggeringTypes();
    const expected = new Set(events.filter((e) => triggering.has(e.type)).map((e) => e.id));
    await publish(cluster, events);

    await until('the first decisions', async () => decisionsIn(await ledgerRecords(store)).length >= 10, 60_000);
    reasonerA.kill('SIGKILL');
    await cluster.serve('reasoner');
    await until('every trigger decided', async () => decisionsIn(await ledgerRecords(store)).length >= expected.size, 180_000);
    await sleep(3_000);
    await expectEveryDecisionOnceAndVerified(cluster, store, expected);
  }, 300_000);

  it('the gateway answers POST /v1/decisions with the decision the reasoner group makes, and never decides (or asks a model) itself', async () => {
    const gateway = await cluster.serveGateway();
    const event = [...new Simulator({ seed: 5 }).take(400)].find((e) => e.type === 'order.placed')!;
    const post = (waitMs: number) =>
      fetch(`${gateway}/v1/decisions?waitMs=${waitMs}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${cluster.apiKey}` }, body: JSON.stringify(event) });

    // No reasoner runs yet: the gateway queues the event and waits; it does not decide in its place.
    const queued = await post(1_500);
    expect(queued.status).toBe(202);
    expect(((await queued.json()) as { decisions: unknown[] }).decisions[0]).toMatchObject({ decisionPoint: 'order.fulfillment', status: 'deciding' });
    expect(decisionsIn(await ledgerRecords(store))).toEqual([]);

    // A reasoner takes the queued event from Kafka; the same request, sent again, is answered with its decision.
    await cluster.serve('reasoner');
    await until('the queued event decided', async () => decisionsIn(await ledgerRecords(store)).includes(event.id), 60_000);
    const answered = await post(10_000);
    expect(answered.status).toBe(200);
    const [decision] = ((await answered.json()) as { decisions: unknown[] }).decisions;
    const [record] = (await ledgerRecords(store)).filter((r) => r.type === 'decision');
    expect(decision).toMatchObject({ decisionPoint: 'order.fulfillment', ledger: { chain: record.chain, seq: record.seq, hash: record.hash } });

    // A gateway started after the decision was made answers the retried request from the audit views.
    await cluster.serve('projector');
    await until('the decision in the audit views', async () => (await cluster.query<{ n: number }>(`SELECT count(*)::int AS n FROM decisions WHERE trigger_event_id = '${event.id}'`))[0].n === 1, 60_000);
    const later = await cluster.serveGateway();
    const retried = await fetch(`${later}/v1/decisions?waitMs=5000`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${cluster.apiKey}` }, body: JSON.stringify(event) });
    expect(retried.status).toBe(200);
    expect(((await retried.json()) as { decisions: unknown[] }).decisions[0]).toMatchObject({ ledger: { chain: record.chain, seq: record.seq, hash: record.hash } });

    // A new event, with the reasoner running: answered with the decision the reasoner appends.
    const next = [...new Simulator({ seed: 6 }).take(400)].find((e) => e.type === 'order.placed')!;
    const fresh = await fetch(`${gateway}/v1/decisions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${cluster.apiKey}` }, body: JSON.stringify(next) });
    expect(fresh.status).toBe(200);
    expect(((await fresh.json()) as { decisions: { outcome?: string }[] }).decisions[0].outcome).toBeDefined();
    expect(decisionsIn(await ledgerRecords(store)).filter((id) => id === next.id)).toHaveLength(1);

    const metrics = await (await fetch(`${gateway}/metrics`, { headers: { authorization: `Bearer ${cluster.apiKey}` } })).text();
    expect(metrics).not.toMatch(/^arbiter_decisions_total\{/m);
  }, 300_000);

  it('esdb-lite and the projector are SIGKILLed mid-run and restarted: no event lost, no decision twice, no memory effect applied twice', async () => {
    const projector = await cluster.serve('projector');
    await cluster.serve('reasoner');
    const events = [...new Simulator({ seed: 7 }).take(1_200)];
    const triggering = triggeringTypes();
    const expected = new Set(events.filter((e) => triggering.has(e.type)).map((e) => e.id));
    await publish(cluster, events);

    await until('the first decisions', async () => decisionsIn(await ledgerRecords(store)).length >= 20, 60_000);
    cluster.killEsdb();
    await sleep(2_000);
    await cluster.startEsdb();
    projector.kill('SIGKILL');
    await cluster.serve('projector');
    await until('every trigger decided', async () => decisionsIn(await ledgerRecords(store)).length >= expected.size, 240_000);

    const orders = events.filter((e) => e.type === 'order.placed').length;
    const customerEvents = events.filter((e) => e.type !== 'inventory.level.changed').length;
    await until('memory to hold every event', async () => {
      const [row] = await cluster.query<{ events: string }>('SELECT COALESCE(SUM(events_count), 0) AS events FROM customers');
      return Number(row?.events ?? 0) >= customerEvents;
    }, 120_000);
    await sleep(2_000);
    const [memory] = await cluster.query<{ events: string; orders: string; seen: string }>(
      'SELECT (SELECT SUM(events_count) FROM customers) AS events, (SELECT SUM(orders_count) FROM customers) AS orders, (SELECT COUNT(*) FROM seen_events) AS seen',
    );
    expect({ events: Number(memory.events), orders: Number(memory.orders), seen: Number(memory.seen) }).toEqual({ events: customerEvents, orders, seen: events.length });
    await expectEveryDecisionOnceAndVerified(cluster, store, expected);
  }, 400_000);
});
