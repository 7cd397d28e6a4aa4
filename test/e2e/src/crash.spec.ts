import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { SqliteBus } from '@arbiter/bus-sqlite';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import { collectLedgerLeaves, parseRecord } from '@arbiter/ledger';
import { DECISIONS_TOPIC } from '@arbiter/contracts';
import { consumeN } from '@arbiter/bus/testing';
import { freshDataDir } from './harness';

const root = join(__dirname, '..', '..', '..');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function decisionsSoFar(port: number, key: string): Promise<number> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/v1/audit/summary`, { headers: { authorization: `Bearer ${key}` } });
    return res.ok ? ((await res.json()) as { decisions: number }).decisions : 0;
  } catch {
    return 0;
  }
}

describe('a crash anywhere leaves every chain verifiable', () => {
  it('SIGKILL while deciding under load, then restart: nothing decided twice, every chain verifies, each decision relayed once', async () => {
    const dataDir = freshDataDir();
    const port = await freePort();
    const key = 'crash-test-key-0123456789';
    const env = { ...process.env, NODE_OPTIONS: '', ARBITER_DATA_DIR: dataDir, ARBITER_PORT: String(port), ARBITER_API_KEY: key, ARBITER_SIMULATOR_RATE: '300' };
    const child: ChildProcess = spawn(process.execPath, [join(root, 'bin', 'arbiter.js'), 'start'], { cwd: root, env, stdio: 'ignore' });
    const deadline = Date.now() + 90_000;
    while ((await decisionsSoFar(port, key)) < 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    // The demo restarts the pipeline on the same data, lets it settle, and verifies the whole ledger.
    const run = spawnSync(process.execPath, [join(root, 'bin', 'arbiter.js'), 'demo', '--events', '50', '--seed', '3', '--data', dataDir, '--json'], {
      cwd: root, env: { ...process.env, NODE_OPTIONS: '' }, encoding: 'utf8', timeout: 180_000,
    });
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.verification).toEqual(expect.objectContaining({ ok: true, failures: [] }));
    const store = new SqliteEventStore(join(dataDir, 'events.db'));
    const records = (await collectLedgerLeaves(store)).map((l) => parseRecord(l.text));
    await store.close();
    expect(records.filter((r) => r.type === 'decision').length).toBeGreaterThanOrEqual(40);
    // Escalated decisions wait for a human before they are relayed.
    const decisions = records.filter((r) => r.type === 'decision' && (r.body.verdict as { outcome: string }).outcome !== 'escalated').length;

    const bus = new SqliteBus(join(dataDir, 'bus.db'));
    try {
      const relayed = await consumeN(bus, 'crash-test-reader', [DECISIONS_TOPIC], decisions + 1, 3_000);
      const ids = relayed.map((m) => JSON.parse(Buffer.from(m.value).toString('utf8')).id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(decisions);
    } finally {
      await bus.close();
    }
  });
});
