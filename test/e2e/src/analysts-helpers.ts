import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import { LedgerRecord, collectLedgerLeaves, parseRecord } from '@arbiter/ledger';
import { POLICIES } from './harness';

const root = join(__dirname, '..', '..', '..');

/** Runs the real CLI, as a user would, from the repository root. */
export function arbiter(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [join(root, 'bin', 'arbiter.js'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', ...env }, timeout: 300_000 });
}

/** The same, without blocking this process: for a CLI that talks to a server this process runs (the model fixture). */
export function arbiterAsync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(root, 'bin', 'arbiter.js'), ...args], { cwd: root, env: { ...process.env, NODE_OPTIONS: '', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A demo data directory made by `arbiter demo`, the way an analyst would get one. */
export function demoLedger(events: number): string {
  const data = mkdtempSync(join(tmpdir(), 'arbiter-analysts-'));
  const run = arbiter(['demo', '--events', String(events), '--data', data, '--json']);
  if (run.status !== 0) throw new Error(`demo failed (${run.status}): ${run.stderr}`);
  return data;
}

/** Every decision record of a data directory's ledger, read with the ledger library. */
export async function decisionRecords(data: string): Promise<LedgerRecord[]> {
  const store = new SqliteEventStore(join(data, 'events.db'));
  try {
    return (await collectLedgerLeaves(store)).map((l) => parseRecord(l.text)).filter((r) => r.type === 'decision');
  } finally {
    await store.close();
  }
}

type Action = { type: string; params: Record<string, number | string> };

/** The refund a dispute decision executed, or held for a human; null when it did not refund. */
export function recordedRefund(record: LedgerRecord): number | null {
  const body = record.body as { decisionPoint: string; action: Action | null; verdict: { escalation?: { pendingAction: Action } } };
  if (body.decisionPoint !== 'dispute.resolution') return null;
  const action = body.action ?? body.verdict.escalation?.pendingAction ?? null;
  return action?.type === 'dispute.refund' ? Number(action.params.refundCents) : null;
}

/** A copy of the shipped policies with dispute-resolution's refund bound lowered to `limit`. */
export function stricterRefundPolicies(limit: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-stricter-'));
  mkdirSync(join(dir, 'tests'));
  for (const f of readdirSync(POLICIES).filter((f) => f.endsWith('.yaml'))) {
    let text = readFileSync(join(POLICIES, f), 'utf8');
    if (f === 'dispute-resolution.yaml') {
      const lowered = text.replace(/refundCents: \{ integer: \{ min: 1, max: \d+ \}/, `refundCents: { integer: { min: 1, max: ${limit} }`);
      if (lowered === text) throw new Error('the refund bound of dispute-resolution.yaml was not found');
      text = lowered;
    }
    writeFileSync(join(dir, f), text);
  }
  return dir;
}

/** Every file under a directory and the SHA-256 of its bytes. */
export function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(dir, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  walk(dir);
  return out;
}
