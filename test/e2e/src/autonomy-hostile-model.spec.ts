import { randomUUID } from 'node:crypto';
import { DECISIONS_TOPIC, DomainEvent } from '@arbiter/contracts';
import { consumeN } from '@arbiter/bus/testing';
import { LedgerRecord, collectLedgerLeaves, verifyRecords } from '@arbiter/ledger';
import { FixtureServer, answer, loadFixtures } from '@arbiter/reasoner-openai/testing';
import { proposalFromModelOutput } from '@arbiter/reasoning';
import { Simulator, publishDomainEvents } from '@arbiter/simulator';
import { decideOverHttp, getJson, ledgerRecords, policiesWithModelTimeout, violations } from './autonomy-helpers';
import { Running, freshDataDir, startAllInOne } from './harness';

interface Body {
  decisionPoint: string;
  trigger: { eventId: string };
  reasoner: { kind: string; reason?: string; output?: string; modelFailure?: { code: string; output?: string } };
  proposal: { type: string; params: Record<string, unknown> } | null;
  verdict: { outcome: string; checks: { check: string; result: string; detail: string }[]; escalation?: { pendingAction: { type: string; params: Record<string, unknown> } } };
  action: { type: string; params: Record<string, unknown> } | null;
}
const bodyOf = (r: LedgerRecord) => r.body as unknown as Body;

describe('a hostile model behind OPENAI_BASE_URL: out of every bound, unknown actions, malformed, truncated, refusing, rate limited, failing and slow', () => {
  let running: Running;
  let model: FixtureServer;
  let decisions: LedgerRecord[];
  const events: DomainEvent[] = [...new Simulator({ seed: 13, idPrefix: 'hostile' }).take(260)];

  beforeAll(async () => {
    model = await FixtureServer.start(loadFixtures('hostile-model'));
    // Model deadlines of 1.5 s: the recorded slow answers (3 s) miss them.
    running = await startAllInOne(freshDataDir(), { openaiBaseUrl: model.baseURL, openaiApiKey: 'sk-hostile-test-key', policiesDir: policiesWithModelTimeout(1_500) });
    await publishDomainEvents(running.core.platform.bus, events);
    await running.settle();
    decisions = (await ledgerRecords(running)).filter((r) => r.type === 'decision');
  }, 240_000);
  afterAll(async () => {
    await running.close();
    await model.close();
  });

  it('decides every triggering event exactly once, and the whole ledger verifies', async () => {
    const expected = events.filter((e) => running.core.engine.pointsFor(e.type).length > 0).map((e) => e.id).sort();
    expect(expected.length).toBeGreaterThan(60);
    expect(decisions.map((d) => bodyOf(d).trigger.eventId).sort()).toEqual(expected);
    expect(verifyRecords(await collectLedgerLeaves(running.core.platform.store), { trustRoot: running.core.keyRing.root }).failures).toEqual([]);
    model.verify();
  });

  it('asked the model for every decision point', () => {
    const asked = new Set(model.requests.map((r) => r.body.response_format?.json_schema?.name));
    expect(asked).toEqual(new Set(['order_fulfillment', 'payment_retry', 'saas_engagement', 'dispute_resolution']));
  });

  it('never executes an action that violates its policy, judged again on the case each decision recorded', () => {
    for (const d of decisions) {
      const body = bodyOf(d);
      // What runs now, or what a reviewer's approval would run.
      const executed = body.action ?? body.verdict.escalation?.pendingAction;
      expect(executed).toBeDefined();
      expect({ trigger: body.trigger.eventId, violations: violations(running.core.policies.forPoint(body.decisionPoint)!, d, executed!) }).toEqual({ trigger: body.trigger.eventId, violations: [] });
    }
  });

  it('says in every verdict what happened: refused, clamped, replaced by the fallback, or decided by the heuristic because the model failed, and why', () => {
    const seen = new Set<string>();
    for (const d of decisions) {
      const { reasoner, verdict, proposal } = bodyOf(d);
      expect(verdict.checks.length).toBeGreaterThan(0);
      expect(['approved', 'clamped', 'fallback', 'escalated']).toContain(verdict.outcome);
      if (reasoner.kind === 'heuristic') {
        expect(reasoner.reason).toBe('model-failed');
        seen.add(`heuristic after ${reasoner.modelFailure!.code}`);
      } else {
        expect(reasoner.kind).toBe('openai');
        seen.add(`model proposal ${verdict.outcome}`);
        if (verdict.outcome === 'fallback') expect(verdict.checks.some((c) => c.result === 'fail')).toBe(true);
        if (verdict.outcome === 'clamped') expect(verdict.checks.some((c) => c.result === 'clamped')).toBe(true);
        expect(proposal).not.toBeNull();
      }
    }
    expect([...seen]).toEqual(expect.arrayContaining([
      'model proposal fallback', 'model proposal clamped',
      'heuristic after malformed', 'heuristic after truncated', 'heuristic after refused', 'heuristic after timeout', 'heuristic after unavailable',
    ]));
  });

  it('records the raw output of every model answer, so a replay derives the same proposal without the model', () => {
    const answered = decisions.filter((d) => bodyOf(d).reasoner.kind === 'openai');
    expect(answered.length).toBeGreaterThan(10);
    for (const d of answered) expect(proposalFromModelOutput(bodyOf(d).reasoner.output!)).toEqual(bodyOf(d).proposal);
    const malformed = decisions.find((d) => bodyOf(d).reasoner.modelFailure?.code === 'malformed')!;
    expect(typeof bodyOf(malformed).reasoner.modelFailure!.output).toBe('string');
  });

  it('relays exactly the actions the ledger holds, and none of the model\'s out-of-bound values', async () => {
    const final = decisions.filter((d) => bodyOf(d).verdict.outcome !== 'escalated');
    const messages = await consumeN(running.core.platform.bus, `hostile-${randomUUID()}`, [DECISIONS_TOPIC], final.length + 1, 3_000);
    expect(messages).toHaveLength(final.length);
    const byId = new Map(final.map((d) => [d.body.decisionId as string, bodyOf(d).action]));
    for (const m of messages) {
      const ce = JSON.parse(Buffer.from(m.value).toString('utf8'));
      expect(ce.data.action).toEqual(byId.get(ce.id));
    }
    const text = messages.map((m) => Buffer.from(m.value).toString('utf8')).join('\n');
    for (const hostile of ['99999999', 'wh-moon', 'fulfill.teleport', 'engagement.cancel-account', 'payment.charge-other-card']) expect(text).not.toContain(hostile);
  });
});

describe('the decision API in front of a slow model', () => {
  let running: Running;
  let model: FixtureServer;

  beforeAll(async () => {
    model = await FixtureServer.start([{ name: 'slow', match: {}, repeat: true, responses: [answer('fulfill.backorder', { promisedDays: 9 }, 8000, 'slow', { delayMs: 1_000 })] }]);
    running = await startAllInOne(freshDataDir(), { openaiBaseUrl: model.baseURL, policiesDir: policiesWithModelTimeout(5_000) });
  }, 60_000);
  afterAll(async () => {
    await running.close();
    await model.close();
  });

  it('answers 202 with a Location when the decision takes longer than the caller waits, and the decision is there later', async () => {
    const event = { specversion: '1.0', id: 'slow-1', source: '/shop', type: 'order.placed', subject: 'cus_slow', data: { orderId: 'o-slow', customerId: 'cus_slow', items: [{ sku: 'sku-0001', qty: 1 }], totalCents: 999, currency: 'EUR', shipTo: { country: 'NL', postalCode: '1011' } } };
    const { status, location, body } = await decideOverHttp(running, event, '?waitMs=200');
    expect(status).toBe(202);
    expect(location).toBe(`/v1/decisions/${body.decisions[0].decisionId}`);
    await running.settle();
    const later = await getJson(running, location!);
    expect(later.status).toBe(200);
    expect(later.body).toMatchObject({ decisionId: body.decisions[0].decisionId, outcome: 'approved', action: { type: 'fulfill.backorder', params: { promisedDays: 9 } }, reasoner: 'openai' });
  });
});
