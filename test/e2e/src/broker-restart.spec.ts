import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consumeN } from '@arbiter/bus/testing';
import { DECISIONS_TOPIC } from '@arbiter/contracts';
import { collectLedgerLeaves, parseRecord, verifyRecords } from '@arbiter/ledger';
import { Simulator, publishDomainEvents } from '@arbiter/simulator';
import { Running, freshDataDir, startAllInOne } from './harness';

const root = join(__dirname, '..', '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function listenable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port whose successor is free too: the broker's listener and its KRaft controller. */
async function freePortPair(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = server.address() as { port: number };
        server.close(() => resolve(p));
      });
    });
    if (port < 65535 && (await listenable(port + 1))) return port;
  }
}

/** A broker of this test's own (the shared one must stay up for the other suites). */
class OwnBroker {
  readonly dir = mkdtempSync(join(tmpdir(), 'arbiter-kafka-restart-'));
  constructor(readonly port: number) {}
  private script(command: 'start' | 'stop'): void {
    execFileSync(join(root, 'infra', 'kafka', 'kafka.sh'), [command], {
      env: { ...process.env, KAFKA_PORT: String(this.port), KAFKA_CONTROLLER_PORT: String(this.port + 1), ARBITER_DATA_DIR: this.dir },
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 240_000,
    });
  }
  start = () => this.script('start');
  stop = () => this.script('stop');
  dispose(): void {
    this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

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
    broker = new OwnBroker(await freePortPair());
    broker.start();
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
