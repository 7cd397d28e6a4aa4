import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import { loadCandidatePolicies, runReplay } from '@arbiter/replay';
import { configFromEnv } from '../config';
import { runDemo } from '../demo';
import { openReplaySandbox } from './sandbox';

/** Bump when what the fixture holds changes, so old caches are not reused. */
const FORMAT = 'v1';
const RUNS = 3;

export interface ReplayBenchRun {
  workers: number;
  decisions: number;
  seconds: number;
  decisionsPerSec: number;
}

export interface ReplayBenchResult {
  bench: 'replay';
  reasoner: 'recorded';
  events: number;
  decisions: number;
  ledger: { dir: string; builtNow: boolean };
  /** Every run: on a worker thread per core, and on this thread alone (`arbiter replay --workers`). */
  runs: ReplayBenchRun[];
  workers: number;
  workersDecisionsPerSec: number;
  inThreadDecisionsPerSec: number;
  /** The load average when the runs started and ended: the machine is shared, and worker threads only help on idle cores. */
  loadAverage: { before: number; after: number };
  /** The better of the two medians, and which it is. */
  decisionsPerSec: number;
  bestConfiguration: 'workers' | 'in-thread';
}

interface Fixture {
  dir: string;
  events: number;
  decisions: number;
}

/**
 * A demo ledger of `events` simulated events, made by `arbiter demo`'s own pipeline once and
 * cached under the OS temp directory, keyed by size and format.
 */
async function demoLedgerFixture(events: number, onProgress?: (done: number, total: number) => void): Promise<{ fixture: Fixture; builtNow: boolean }> {
  const dir = join(tmpdir(), `arbiter-bench-replay-${FORMAT}-${events}`);
  const ready = join(dir, 'fixture.json');
  if (existsSync(ready)) return { fixture: JSON.parse(readFileSync(ready, 'utf8')) as Fixture, builtNow: false };
  rmSync(dir, { recursive: true, force: true });
  const config = configFromEnv({}, { dataDir: join(dir, 'data'), policiesDir: resolve(configFromEnv(process.env).policiesDir), simulator: 'off' });
  const report = await runDemo(config, { events, seed: 42, timeoutMs: 3_600_000, logger: false, onProgress: (p) => onProgress?.(p.done, p.total) });
  if (!report.ok) throw new Error(`the demo ledger for the bench did not verify: ${JSON.stringify(report.verification.failures.slice(0, 3))}`);
  const fixture: Fixture = { dir: join(dir, 'data'), events, decisions: report.decisions };
  writeFileSync(ready, JSON.stringify(fixture));
  return { fixture, builtNow: true };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Recorded-mode replay throughput: every decision of a demo ledger judged again under the
 * policies it was made under (each trigger fetched from the archive and checked against its
 * digest), into a fresh sandbox each run. A run that finds any decision changed is a fault, not a
 * measurement. Medians of 3 runs with a worker thread per core and of 3 on one thread, alternated.
 */
export async function benchReplay(events: number, onProgress?: (done: number, total: number) => void): Promise<ReplayBenchResult> {
  const { fixture, builtNow } = await demoLedgerFixture(events, onProgress);
  const candidates = loadCandidatePolicies(resolve(configFromEnv(process.env).policiesDir));
  const store = new SqliteEventStore(join(fixture.dir, 'events.db'));
  const runs: ReplayBenchRun[] = [];
  // Alternated, so a change in the machine's load weighs on both configurations alike.
  const plan = Array.from({ length: 2 * RUNS }, (_, i) => (i % 2 === 0 ? availableParallelism() : 0));
  const loadBefore = loadavg()[0];
  try {
    for (const [i, workers] of plan.entries()) {
      const sandbox = openReplaySandbox(mkdtempSync(join(tmpdir(), 'arbiter-bench-sandbox-')), 'fresh');
      try {
        const result = await runReplay({ store, source: fixture.dir, sandbox: sandbox.journal, candidates, reasoner: 'recorded', workers });
        if (result.summary.statuses.unchanged !== fixture.decisions) throw new Error(`a replay under the recorded policies should change nothing: ${JSON.stringify(result.summary.statuses)}`);
        runs.push({ workers: result.workers, decisions: result.decisionsThisRun, seconds: result.seconds, decisionsPerSec: result.decisionsPerSec });
      } finally {
        await sandbox.discard();
      }
      onProgress?.(i + 1, plan.length);
    }
  } finally {
    await store.close();
  }
  const pooled = median(runs.filter((r) => r.workers > 0).map((r) => r.decisionsPerSec));
  const inThread = median(runs.filter((r) => r.workers === 0).map((r) => r.decisionsPerSec));
  return {
    bench: 'replay',
    reasoner: 'recorded',
    events,
    decisions: fixture.decisions,
    ledger: { dir: fixture.dir, builtNow },
    runs,
    workers: availableParallelism(),
    workersDecisionsPerSec: pooled,
    inThreadDecisionsPerSec: inThread,
    loadAverage: { before: Number(loadBefore.toFixed(2)), after: Number(loadavg()[0].toFixed(2)) },
    decisionsPerSec: Math.max(pooled, inThread),
    bestConfiguration: pooled >= inThread ? 'workers' : 'in-thread',
  };
}
