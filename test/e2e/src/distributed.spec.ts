import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { withTopicPrefix } from '@arbiter/bus';
import { consumeN } from '@arbiter/bus/testing';
import { KafkaBus } from '@arbiter/bus-kafka';
import { testBrokers } from '@arbiter/bus-kafka/testing';
import { DECISIONS_TOPIC } from '@arbiter/contracts';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import { collectLedgerLeaves, parseRecord, verifyRecords } from '@arbiter/ledger';
import { PolicyBook } from '@arbiter/policy';
import { Simulator, publishDomainEvents } from '@arbiter/simulator';
import { POLICIES, freshDataDir } from './harness';

const root = join(__dirname, '..', '..', '..');
const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

describe('distributed: one process per app, on Kafka, PostgreSQL and the shared store', () => {
  const run = randomUUID().slice(0, 8);
  const ledger = `dist-${run}`;
  const prefix = `dist-${run}.`;
  const database = `arbiter_dist_${run}`;
  const dataDir = freshDataDir();
  const brokers = testBrokers();
  const processes = new Set<ChildProcess>();
  let env: NodeJS.ProcessEnv;

  function serve(app: 'reasoner' | 'projector'): Promise<ChildProcess> {
    const child = spawn(process.execPath, [join(root, 'bin', 'arbiter.js'), 'serve', app], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    processes.add(child);
    child.once('exit', () => processes.delete(child));
    return new Promise((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk) => {
        out += String(chunk);
        if (out.includes(`${app} running`)) resolve(child);
      });
      child.stderr!.on('data', (chunk) => (out += String(chunk)));
      child.once('exit', (code) => reject(new Error(`${app} exited with ${code}: ${out.slice(-2000)}`)));
    });
  }

  beforeAll(async () => {
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    env = {
      ...process.env, NODE_OPTIONS: '', ARBITER_DATA_DIR: dataDir, ARBITER_LEDGER_ID: ledger, ARBITER_TOPIC_PREFIX: prefix,
      KAFKA_BROKERS: brokers.join(','), DATABASE_URL: url.toString(), ARBITER_LOG_FORMAT: 'json', ARBITER_API_KEY: 'distributed-test-key-0123',
    };
  });
  afterAll(async () => {
    for (const p of processes) p.kill('SIGKILL');
    await sleep(500);
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  it('two reasoner processes share the work; one is SIGKILLed mid-stream and restarted: nothing lost, nothing twice, chains verify, each decision relayed once', async () => {
    await serve('projector');
    const reasonerA = await serve('reasoner');
    await serve('reasoner');

    const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await until('both reasoners in the group', async () => {
      const { groups } = await admin.describeGroups([`${ledger}.reasoner`]);
      return groups[0]?.members.length === 2;
    }, 60_000);
    await admin.disconnect();

    const bus = withTopicPrefix(new KafkaBus({ brokers }), prefix);
    const events = [...new Simulator({ seed: 99 }).take(800)];
    // Every event a policy's trigger names is decided: orders, failed payments, usage reports, disputes.
    const triggering = new Set(PolicyBook.load(POLICIES).all().flatMap((p) => p.document.trigger.types));
    const orders = new Set(events.filter((e) => triggering.has(e.type)).map((e) => e.id));
    await publishDomainEvents(bus, events);

    const store = new SqliteEventStore(join(dataDir, 'events.db'));
    const decided = async () => {
      const triggers: string[] = [];
      for (const { text } of await collectLedgerLeaves(store)) {
        const r = parseRecord(text);
        if (r.type === 'decision') triggers.push(String((r.body.trigger as { eventId: string }).eventId));
      }
      return triggers;
    };
    try {
      await until('the first decisions', async () => (await decided()).length >= 10, 60_000);
      reasonerA.kill('SIGKILL');
      await serve('reasoner');
      await until('every order decided', async () => (await decided()).length >= orders.size, 180_000);
      await sleep(3_000);

      const triggers = await decided();
      expect(triggers.length).toBe(orders.size);
      expect(new Set(triggers)).toEqual(orders);
      const leaves = await collectLedgerLeaves(store);
      const root = leaves.map((l) => parseRecord(l.text)).find((r) => r.chain === 'keys')!.signer;
      expect(verifyRecords(leaves, { trustRoot: root, ledger }).failures).toEqual([]);

      // Escalated decisions wait for a human before they are relayed.
      const final = new Set(leaves.map((l) => parseRecord(l.text)).filter((r) => r.type === 'decision' && (r.body.verdict as { outcome: string }).outcome !== 'escalated').map((r) => String((r.body.trigger as { eventId: string }).eventId)));
      const relayed = await consumeN(bus, `check-${run}`, [DECISIONS_TOPIC], final.size + 1, 20_000);
      const ids = relayed.map((m) => JSON.parse(Buffer.from(m.value).toString('utf8')).data.trigger.eventId as string);
      expect(ids.length).toBe(final.size);
      expect(new Set(ids)).toEqual(final);
    } finally {
      await store.close();
      await bus.close();
    }
  }, 300_000);
});
