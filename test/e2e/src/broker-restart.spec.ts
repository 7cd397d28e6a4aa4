import { randomUUID } from 'node:crypto';
import { consumeN } from '@arbiter/bus/testing';
import { OwnBroker } from '@arbiter/bus-kafka/testing';
import { DECISIONS_TOPIC } from '@arbiter/contracts';
import { collectLedgerLeaves, parseRecord, verifyRecords } from '@arbiter/ledger';
import { Simulator, publishDomainEvents } from '@arbiter/simulator';
import { Running, freshDataDir, startAllInOne } from './harness';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function decidedTriggers(running: Running): Promise<string[]> {
  const triggers: string[] = [];
  for (const { text } of await collectLedgerLeaves(running.core.platform.store)) {
    const record = parseRecord(text);
    if (record.type === 'decision') triggers.push(String((record.body.trigger as { eventId: string }).eventId));
  }
  return triggers;
}

describe('the Kafka broker stops and starts again during a run', () => {
  let broker: OwnBroker;
  let running: Running | undefined;

  beforeAll(async () => {
    broker = await OwnBroker.start();
  }, 300_000);
  afterAll(async () => {
    await running?.close();
    broker?.dispose();
  }, 120_000);

  it('resumes by itself: every order decided once, every chain verifies, each decision relayed once', async () => {
    const run = randomUUID().slice(0, 8);
    running = await startAllInOne(freshDataDir(), { kafkaBrokers: `127.0.0.1:${broker.port}`, ledgerId: `restart-${run}` });
    const events = [...new Simulator({ seed: 31 }).take(600)];
    const orders = new Set(events.filter((e) => running!.core.engine.pointsFor(e.type).length > 0).map((e) => e.id));
    await publishDomainEvents(running.core.platform.bus, events);

    const deadline = Date.now() + 60_000;
    while ((await decidedTriggers(running)).length < 5 && Date.now() < deadline) await sleep(100);
    broker.stop();
    await sleep(5_000);
    broker.start();
    await running.settle();

    const triggers = await decidedTriggers(running);
    expect(triggers.length).toBe(orders.size);
    expect(new Set(triggers)).toEqual(orders);
    const report = verifyRecords(await collectLedgerLeaves(running.core.platform.store), { trustRoot: running.core.keyRing.root });
    expect(report.failures).toEqual([]);
    // Escalated decisions wait for a human before they are relayed.
    const final = new Set((await collectLedgerLeaves(running.core.platform.store)).map((l) => parseRecord(l.text)).filter((r) => r.type === 'decision' && (r.body.verdict as { outcome: string }).outcome !== 'escalated').map((r) => String((r.body.trigger as { eventId: string }).eventId)));
    const relayed = await consumeN(running.core.platform.bus, `check-${run}`, [DECISIONS_TOPIC], final.size + 1, 20_000);
    const ids = relayed.map((m) => JSON.parse(Buffer.from(m.value).toString('utf8')).data.trigger.eventId as string);
    expect(ids.length).toBe(final.size);
    expect(new Set(ids)).toEqual(final);
  }, 400_000);
});
