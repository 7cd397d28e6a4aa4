import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import type { LedgerRecord } from '@arbiter/ledger';
import { FixtureServer, answer } from '@arbiter/reasoner-openai/testing';
import { ReplayInterruptedError, ReplayReport, ReplayResult, loadCandidatePolicies, runReplay } from '@arbiter/replay';
import { openReplaySandbox } from '@arbiter/runtime';
import { arbiter, arbiterAsync, decisionRecords, demoLedger, recordedRefund, stricterRefundPolicies } from './analysts-helpers';
import { POLICIES } from './harness';

const readReport = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as ReplayReport;
const out = (name: string) => join(mkdtempSync(join(tmpdir(), 'arbiter-replay-out-')), name);

describe('arbiter replay on a demo ledger', () => {
  let data: string;
  let records: LedgerRecord[];
  let limit: number;
  let stricter: string;
  /** Dispute decisions whose recorded refund (executed or held for review) exceeds the stricter limit. */
  let overLimit: Set<string>;

  beforeAll(async () => {
    data = demoLedger(2_000);
    records = await decisionRecords(data);
    const refunds = records.map(recordedRefund).filter((r): r is number => r !== null).sort((a, b) => a - b);
    limit = refunds[Math.floor(refunds.length / 2)];
    stricter = stricterRefundPolicies(limit);
    overLimit = new Set(records.filter((r) => (recordedRefund(r) ?? 0) > limit).map((r) => String(r.body.decisionId)));
  }, 300_000);

  it('given the policies the decisions were made under, changes no decision and finds every trigger in the archive', () => {
    const json = out('same.json');
    const run = arbiter(['replay', '--policy', POLICIES, '--data', data, '--json', json]);
    expect(run.status).toBe(0);
    const report = readReport(json);
    expect(report.summary.decisions).toBe(records.length);
    expect(report.summary.statuses).toEqual({ unchanged: records.length, changed: 0, 'trigger-mismatch': 0, 'trigger-missing': 0, 'no-candidate-policy': 0 });
    expect(report.decisions).toEqual([]);
    expect(run.stdout).toContain(`${records.length} recorded decisions (recorded): ${records.length} unchanged, 0 changed`);
  });

  it('given a stricter refund limit, changes exactly the disputes whose recorded refund exceeded it, and both reports say so', () => {
    expect(overLimit.size).toBeGreaterThan(0);
    expect(records.some((r) => (recordedRefund(r) ?? Infinity) <= limit)).toBe(true);
    const json = out('stricter.json');
    const html = out('stricter.html');
    const run = arbiter(['replay', '--policy', stricter, '--data', data, '--json', json, '--report', html]);
    expect(run.status).toBe(0);

    const report = readReport(json);
    const changed = report.decisions.filter((d) => d.status === 'changed');
    expect(new Set(changed.map((d) => d.decisionId))).toEqual(overLimit);
    expect(report.summary.statuses.changed).toBe(overLimit.size);
    for (const d of changed) {
      expect(d.decisionPoint).toBe('dispute.resolution');
      const candidateRefund = (d.candidate!.action ?? d.candidate!.pending!.action).params.refundCents;
      expect(candidateRefund).toBe(limit);
      expect(d.candidate!.flaggedChecks).toContainEqual(expect.objectContaining({ check: 'param:refundCents', result: 'clamped' }));
    }
    const disputes = report.summary.byPoint.find((p) => p.decisionPoint === 'dispute.resolution')!;
    expect(disputes.statuses.changed).toBe(overLimit.size);
    const refunds = disputes.amounts['dispute.refund/refundCents'];
    const recordedTotal = records.map(recordedRefund).reduce<number>((n, r) => n + (r ?? 0), 0);
    expect(refunds.recorded + refunds.recordedPending).toBe(recordedTotal);
    expect(refunds.candidate + refunds.candidatePending).toBeLessThan(recordedTotal);

    const page = readFileSync(html, 'utf8');
    expect(page).toContain(`Replay: ${overLimit.size} of ${records.length} decisions would have changed`);
    expect(page).toContain('<svg');
    expect(page).toContain(changed[0].decisionId);
    expect(page).not.toMatch(/<script|<link|<img|<iframe|\ssrc=|\shref=|url\(|@import/i);
  });

  it('given the offline heuristics asked afresh under the same policies, changes no decision', () => {
    const json = out('heuristic.json');
    const run = arbiter(['replay', '--policy', POLICIES, '--data', data, '--reasoner', 'heuristic', '--json', json]);
    expect(run.status).toBe(0);
    expect(readReport(json).summary.statuses.changed).toBe(0);
  });

  it('given one policy file, judges only its decision point and counts the others as not governed, without listing them', () => {
    const json = out('one-file.json');
    const run = arbiter(['replay', '--policy', join(stricter, 'dispute-resolution.yaml'), '--data', data, '--json', json]);
    expect(run.status).toBe(0);
    const report = readReport(json);
    const disputes = records.filter((r) => r.body.decisionPoint === 'dispute.resolution').length;
    expect(report.summary.statuses).toMatchObject({ changed: overLimit.size, unchanged: disputes - overLimit.size, 'no-candidate-policy': records.length - disputes });
    expect(report.decisions.map((d) => d.decisionId).sort()).toEqual([...overLimit].sort());
  });

  it('narrows to a decision point, a customer and a time window', () => {
    const dispute = records.find((r) => overLimit.has(String(r.body.decisionId)))!;
    const customer = dispute.chain.replace('decisions-', '');
    const json = out('narrow.json');
    const run = arbiter(['replay', '--policy', stricter, '--data', data, '--decision-point', 'dispute.resolution', '--customer', customer, '--json', json]);
    expect(run.status).toBe(0);
    const report = readReport(json);
    const expected = records.filter((r) => r.chain === dispute.chain && r.body.decisionPoint === 'dispute.resolution');
    expect(report.summary.decisions).toBe(expected.length);
    expect(report.summary.byPoint.map((p) => p.decisionPoint)).toEqual(['dispute.resolution']);

    const at = (dispute.body.context as { memory: { asOf: string } }).memory.asOf;
    const window = arbiter(['replay', '--policy', stricter, '--data', data, '--from', at, '--to', new Date(Date.parse(at) + 1).toISOString(), '--json', json]);
    expect(window.status).toBe(0);
    expect(readReport(json).decisions.map((d) => d.decisionId)).toContain(String(dispute.body.decisionId));
    expect(readReport(json).summary.decisions).toBeLessThan(records.length);
  });

  it('reports a trigger whose archived copy no longer matches the digest its decision recorded, and does not judge it', () => {
    const copy = mkdtempSync(join(tmpdir(), 'arbiter-tampered-'));
    cpSync(data, copy, { recursive: true });
    const dispute = records.find((r) => r.body.decisionPoint === 'dispute.resolution')!;
    const trigger = dispute.body.trigger as { eventId: string };
    const db = new Database(join(copy, 'events.db'));
    const row = db.prepare(`SELECT position, data FROM events WHERE type = 'domain.dispute.opened' AND CAST(data AS TEXT) LIKE ?`).get(`%"id":"${trigger.eventId}"%`) as { position: number; data: Buffer };
    const event = JSON.parse(row.data.toString('utf8'));
    event.data.amountCents += 1;
    db.prepare('UPDATE events SET data = ? WHERE position = ?').run(Buffer.from(JSON.stringify(event)), row.position);
    db.close();

    const json = out('tampered.json');
    const run = arbiter(['replay', '--policy', POLICIES, '--data', copy, '--json', json]);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/1 archived trigger\(s\) do not match/);
    const report = readReport(json);
    expect(report.summary.statuses['trigger-mismatch']).toBe(1);
    expect(report.decisions).toEqual([expect.objectContaining({ decisionId: dispute.body.decisionId, status: 'trigger-mismatch', candidate: null })]);
    expect(report.decisions[0].trigger.archivedDigest).not.toBe(report.decisions[0].trigger.recordedDigest);
  });

  it('refuses what it cannot use with exit status 2 and a reason', () => {
    expect(arbiter(['replay', '--policy', POLICIES, '--data', data, '--from', 'yesterday-ish']).status).toBe(2);
    const noPolicies = arbiter(['replay', '--policy', join(tmpdir(), 'no-such-policies'), '--data', data]);
    expect(noPolicies.status).toBe(2);
    expect(noPolicies.stderr).toMatch(/no policy file or directory/);
    expect(arbiter(['replay', '--policy', POLICIES, '--data', data, '--reasoner', 'oracle']).status).toBe(2);
    expect(arbiter(['replay', '--policy', POLICIES, '--data', data, '--reasoner', 'openai'], { OPENAI_BASE_URL: '' }).status).toBe(2);
  });

  describe('run through the library', () => {
    async function replay(options: { workers?: number; resume?: boolean; sandbox: string; stopAfter?: number; policies?: string }): Promise<ReplayResult> {
      const store = new SqliteEventStore(join(data, 'events.db'));
      const sandbox = openReplaySandbox(options.sandbox, options.resume ? 'resume' : 'fresh');
      const stop = new AbortController();
      try {
        return await runReplay({
          store, source: data, sandbox: sandbox.journal, candidates: loadCandidatePolicies(options.policies ?? stricter), reasoner: 'recorded',
          workers: options.workers ?? 0, resume: options.resume, journalEvery: 200, signal: stop.signal,
          onProgress: (p) => options.stopAfter !== undefined && p.decisions >= options.stopAfter && stop.abort(),
        });
      } finally {
        await sandbox.close();
        await store.close();
      }
    }
    const sandboxDir = () => join(mkdtempSync(join(tmpdir(), 'arbiter-sandbox-')), 'run');
    const findings = (r: ReplayResult) => ({ summary: r.summary, diffs: r.diffs });

    it('resumes a run interrupted midway from its sandbox and finds what an uninterrupted run finds', async () => {
      const whole = await replay({ sandbox: sandboxDir() });
      const dir = sandboxDir();
      await expect(replay({ sandbox: dir, stopAfter: 400 })).rejects.toBeInstanceOf(ReplayInterruptedError);
      const resumed = await replay({ sandbox: dir, resume: true });
      expect(resumed.resumed).toBe(true);
      expect(resumed.decisionsThisRun).toBeGreaterThan(0);
      expect(resumed.decisionsThisRun).toBeLessThan(records.length);
      expect(findings(resumed)).toEqual(findings(whole));
    }, 120_000);

    it('refuses to resume a sandbox that holds a run asked something else', async () => {
      const dir = sandboxDir();
      await expect(replay({ sandbox: dir, stopAfter: 200 })).rejects.toBeInstanceOf(ReplayInterruptedError);
      await expect(replay({ sandbox: dir, resume: true, policies: POLICIES })).rejects.toMatchObject({ code: 'sandbox-mismatch' });
    }, 120_000);

    it('finds the same on worker threads as on this thread', async () => {
      const onThread = await replay({ sandbox: sandboxDir(), workers: 0 });
      const onWorkers = await replay({ sandbox: sandboxDir(), workers: 2 });
      expect(onWorkers.workers).toBe(2);
      expect(findings(onWorkers)).toEqual(findings(onThread));
    }, 120_000);
  });

  describe('with the model endpoint', () => {
    let server: FixtureServer;
    beforeAll(async () => {
      server = await FixtureServer.start([{ name: 'disputes: evidence first', match: { schema: 'dispute_resolution' }, responses: [answer('dispute.request-evidence', { from: 'buyer', dueDays: 5 }, 9000, 'replayed')], repeat: true }]);
    });
    afterAll(() => server.close());

    it('calls no model when replaying what was recorded', async () => {
      const run = await arbiterAsync(['replay', '--policy', POLICIES, '--data', data, '--decision-point', 'dispute.resolution'], { OPENAI_BASE_URL: server.baseURL });
      expect(run.status).toBe(0);
      expect(server.requests).toHaveLength(0);
    });

    it('asks the model for every dispute with --reasoner openai, and reports the refunds it would not have made', async () => {
      const disputes = records.filter((r) => r.body.decisionPoint === 'dispute.resolution');
      const json = out('openai.json');
      const run = await arbiterAsync(['replay', '--policy', POLICIES, '--data', data, '--decision-point', 'dispute.resolution', '--reasoner', 'openai', '--json', json], { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: 'sk-fixture' });
      expect(run.status).toBe(0);
      server.verify();
      expect(server.requests).toHaveLength(disputes.length);
      const report = readReport(json);
      const refunded = disputes.filter((r) => recordedRefund(r) !== null).map((r) => String(r.body.decisionId));
      expect(report.decisions.filter((d) => d.changes.includes('action-type') || d.changes.includes('pending-action')).map((d) => d.decisionId)).toEqual(expect.arrayContaining(refunded));
      for (const d of report.decisions) expect(d.candidate?.reasoner).toEqual({ kind: 'openai', source: 'model' });
    });
  });
});
