import { randomUUID } from 'node:crypto';
import { consumeN } from '@arbiter/bus/testing';
import { DECISIONS_TOPIC, decisionMadeData } from '@arbiter/contracts';
import { LedgerRecord, collectLedgerLeaves, parseRecord, storeSource, verifyLedger } from '@arbiter/ledger';
import { COMPARISONS_STREAM, ShadowComparison, ShadowService, ShadowStatus, shadowLedgerId } from '@arbiter/runtime';
import { Simulator, publishDomainEvents } from '@arbiter/simulator';
import { recordedRefund, stricterRefundPolicies } from './analysts-helpers';
import { API_KEY, Running, freshDataDir, startAllInOne } from './harness';

const LIMIT = 30_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const get = (r: Running, path: string, key: string | null = API_KEY) => fetch(`${r.url}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

async function recordsOf(store: Parameters<typeof collectLedgerLeaves>[0]): Promise<LedgerRecord[]> {
  return (await collectLedgerLeaves(store)).map((l) => parseRecord(l.text));
}

describe('shadow mode: a stricter refund policy beside the live one, on live traffic', () => {
  let running: Running;
  let shadow: ShadowService;
  let live: LedgerRecord[];
  let liveDecisions: LedgerRecord[];

  beforeAll(async () => {
    running = await startAllInOne(freshDataDir(), { shadowPoliciesDir: stricterRefundPolicies(LIMIT) });
    shadow = running.app.get(ShadowService);
    await publishDomainEvents(running.core.platform.bus, [...new Simulator({ seed: 42 }).take(2_000)]);
    await running.settle();
    live = await recordsOf(running.core.platform.store);
    liveDecisions = live.filter((r) => r.type === 'decision');
    const deadline = Date.now() + 120_000;
    while ((await shadow.running!.lag()) > 0n || (shadow.status() as ShadowStatus).compared < liveDecisions.length) {
      if (Date.now() > deadline) throw new Error(`the shadow did not catch up: ${JSON.stringify(shadow.status())}`);
      await sleep(100);
    }
  }, 300_000);
  afterAll(() => running?.close());

  it('compares every live decision with its shadow, and reports the disagreements per decision point over HTTP', async () => {
    const res = await get(running, '/v1/shadow?recent=50');
    expect(res.status).toBe(200);
    const status = (await res.json()) as ShadowStatus;
    expect(status).toMatchObject({ enabled: true, ledger: shadowLedgerId('arbiter'), compared: liveDecisions.length });
    const overLimit = liveDecisions.filter((r) => (recordedRefund(r) ?? 0) > LIMIT);
    expect(overLimit.length).toBeGreaterThan(0);
    const disputes = status.points.find((p) => p.decisionPoint === 'dispute.resolution')!;
    // The shadow decides on the memory and facts the live decision recorded, so only the policy can make them differ.
    expect(disputes.disagreed).toBe(overLimit.length);
    expect(status.points.filter((p) => p.decisionPoint !== 'dispute.resolution').map((p) => [p.decisionPoint, p.disagreed])).toEqual(
      status.points.filter((p) => p.decisionPoint !== 'dispute.resolution').map((p) => [p.decisionPoint, 0]),
    );
    expect(disputes.disagreementRate).toBeCloseTo(disputes.disagreed / disputes.compared, 4);
    expect(status.recentDisagreements.length).toBe(Math.min(50, status.disagreed));
  });

  it('disagrees on every refund over the stricter limit, which the shadow clamps to it', async () => {
    const comparisons: ShadowComparison[] = [];
    for await (const e of shadow.running!.store.readStream(COMPARISONS_STREAM)) comparisons.push(JSON.parse(Buffer.from(e.data).toString('utf8')));
    const byId = new Map(comparisons.map((c) => [c.decisionId, c]));
    for (const record of liveDecisions.filter((r) => (recordedRefund(r) ?? 0) > LIMIT)) {
      const c = byId.get(String(record.body.decisionId))!;
      expect(c.agree).toBe(false);
      expect((c.shadow.action ?? c.shadow.pendingAction)!.params.refundCents).toBe(LIMIT);
    }
  });

  it('shows the comparisons on /metrics, and keeps the live decision counters to live decisions', async () => {
    const text = await (await get(running, '/metrics')).text();
    const disagreements = text.split('\n').find((l) => l.startsWith('arbiter_shadow_decisions_total{') && l.includes('agreement="disagree"') && l.includes('point="dispute.resolution"'));
    expect(Number(disagreements?.split(' ').pop())).toBeGreaterThan(0);
    const counted = [...text.matchAll(/^arbiter_decisions_total\{[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    expect(counted).toBe(liveDecisions.length);
  });

  it('asks for the API key', async () => {
    expect((await get(running, '/v1/shadow', null)).status).toBe(401);
  });

  it('relays nothing from the shadow ledger: arbiter.decisions carries the live final decisions only', async () => {
    const shadowRecords = await recordsOf(shadow.running!.store);
    const shadowHashes = new Set(shadowRecords.map((r) => r.hash));
    const liveHashes = new Set(live.map((r) => r.hash));
    const final = liveDecisions.filter((r) => (r.body.verdict as { outcome: string }).outcome !== 'escalated').length;
    const messages = await consumeN(running.core.platform.bus, `e2e-${randomUUID()}`, [DECISIONS_TOPIC], final + 1, 5_000);
    expect(messages).toHaveLength(final);
    for (const m of messages) {
      const { ledger } = decisionMadeData.parse(JSON.parse(Buffer.from(m.value).toString('utf8')).data);
      expect(liveHashes.has(ledger.hash)).toBe(true);
      expect(shadowHashes.has(ledger.hash)).toBe(false);
    }
    expect(shadowRecords.filter((r) => r.type === 'decision')).toHaveLength(liveDecisions.length);
  });

  it('keeps a shadow ledger of its own that verifies under its own root, signed by the shadow key', async () => {
    const status = shadow.status() as ShadowStatus;
    const { report } = await verifyLedger(storeSource(shadow.running!.store), { trustRoot: status.rootDid, ledger: status.ledger, workers: 0 });
    expect(report.failures).toEqual([]);
    const signers = new Set((await recordsOf(shadow.running!.store)).filter((r) => r.type === 'decision').map((r) => r.signer));
    expect(signers.size).toBe(1);
    expect(signers.has(running.core.keyRing.reasoner.did)).toBe(false);
  });
});
