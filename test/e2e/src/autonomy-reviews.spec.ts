import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DECISIONS_TOPIC, decisionMadeData } from '@arbiter/contracts';
import { consumeN } from '@arbiter/bus/testing';
import { collectLedgerLeaves, verifyRecords } from '@arbiter/ledger';
import { CustomerStory } from '@arbiter/simulator';
import { decideOverHttp, getJson, ledgerRecords, postJson, tell } from './autonomy-helpers';
import { API_KEY, Running, freshDataDir, startAllInOne } from './harness';

const root = join(__dirname, '..', '..', '..');
const now = new Date().toISOString();
/**
 * A buyer in good standing disputes an undelivered order of 600.00 in full: the heuristic refunds
 * it, and the policy holds refunds above 500.00 for a human. One buyer per case, so no buyer
 * becomes a serial disputer (which memory would rightly treat differently).
 */
const largeDispute = (n: number) => {
  const buyer = new CustomerStory({ customerId: `buyer_review_${n}`, now, seed: 50 + n }).registered(500).orders(6, { overDays: 400 });
  const order = buyer.placeOrder(3, 60_000);
  const event = buyer.trigger('dispute.opened', { disputeId: `dsp-review-${n}`, orderId: order.orderId, buyerId: buyer.customerId, sellerId: 'sel-20', amountCents: 60_000, currency: 'EUR', reason: 'item_not_received', messages: [{ from: 'buyer', text: 'Nothing arrived.' }] });
  return { history: buyer.events(), event };
};
const cases = [1, 2, 3, 4, 5].map(largeDispute);

async function relayed(r: Running): Promise<Map<string, ReturnType<typeof decisionMadeData.parse> & { id: string }>> {
  const messages = await consumeN(r.core.platform.bus, `reviews-${randomUUID()}`, [DECISIONS_TOPIC], 1_000, 1_500);
  return new Map(messages.map((m) => {
    const ce = JSON.parse(Buffer.from(m.value).toString('utf8'));
    return [ce.id, { id: ce.id, ...decisionMadeData.parse(ce.data) }];
  }));
}

/** Runs the CLI in its own process, without blocking this one (which serves the API it talks to). */
function cli(r: Running, args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'bin', 'arbiter.js'), ...args, '--url', r.url, '--api-key', API_KEY], { cwd: root, env: { ...process.env, NODE_OPTIONS: '' }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ status: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('human review of escalated decisions', () => {
  let running: Running;
  const ids: string[] = [];

  beforeAll(async () => {
    running = await startAllInOne(freshDataDir());
    await tell(running, cases.slice(0, 4).flatMap((c) => c.history));
    for (const c of cases.slice(0, 4)) {
      const { status, location, body } = await decideOverHttp(running, c.event);
      expect(status).toBe(202);
      expect(location).toBe(`/v1/reviews/${body.decisions[0].decisionId}`);
      ids.push(body.decisions[0].decisionId);
    }
    await running.settle();
  }, 120_000);
  afterAll(() => running.close());

  it('holds an escalated decision in the review queue with its rules and pending action, and does not relay it', async () => {
    const { status, body } = await getJson(running, '/v1/reviews');
    expect(status).toBe(200);
    expect(body.reviews.map((r) => r.decisionId)).toEqual(expect.arrayContaining(ids));
    expect(body.reviews.find((r) => r.decisionId === ids[0])).toMatchObject({
      status: 'pending', decisionPoint: 'dispute.resolution', rules: ['large-refund'], pendingAction: { type: 'dispute.refund', params: { refundCents: 60_000 } }, pendingOutcome: 'approved', review: null,
    });
    expect([...(await relayed(running)).keys()]).not.toContain(ids[0]);
  });

  it('approves: a review entry in the decision\'s chain, signed by the reviewer\'s key, and the decision relayed as final', async () => {
    const { status, body } = await postJson(running, `/v1/reviews/${ids[0]}`, { verdict: 'approve', reviewer: 'ops-alice', note: 'order never shipped' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ verdict: 'approve', outcome: 'approved', action: { type: 'dispute.refund', params: { refundCents: 60_000 } }, ledger: { chain: 'decisions-buyer_review_1' } });
    const review = (await ledgerRecords(running)).find((r) => r.type === 'review' && r.body.decisionId === ids[0])!;
    const decision = (await ledgerRecords(running)).find((r) => r.type === 'decision' && r.body.decisionId === ids[0])!;
    expect(review.signer).toBe(running.core.keyRing.reviewer.did);
    expect(review.body).toMatchObject({ decision: { chain: decision.chain, seq: decision.seq, hash: decision.hash }, reviewer: 'ops-alice', verdict: 'approve', note: 'order never shipped' });
    await running.settle();
    expect((await relayed(running)).get(ids[0])).toMatchObject({ outcome: 'approved', action: { type: 'dispute.refund' }, review: { verdict: 'approve', reviewer: 'ops-alice', timedOut: false } });
  });

  it('refuses a second review of the same decision', async () => {
    const { status, body } = await postJson(running, `/v1/reviews/${ids[0]}`, { verdict: 'reject', reviewer: 'ops-bob', note: 'too late' });
    expect(status).toBe(409);
    expect(body.message).toMatch(/already reviewed \(approve by ops-alice\)/);
  });

  it('refuses an override outside the policy, listing the checks it failed', async () => {
    const { status, body } = await postJson(running, `/v1/reviews/${ids[1]}`, { verdict: 'override', reviewer: 'ops-alice', note: '', action: { type: 'dispute.refund', params: { refundCents: 90_000 } } });
    expect(status).toBe(422);
    expect(body.message).toMatch(/outside the policy/);
    expect(body.checks).toContainEqual(expect.objectContaining({ check: 'param:refundCents', result: 'clamped' }));
  });

  it.each([
    ['no verdict', { reviewer: 'x' }],
    ['an unknown verdict', { verdict: 'maybe', reviewer: 'x' }],
    ['no reviewer', { verdict: 'approve' }],
    ['an override without an action', { verdict: 'override', reviewer: 'x' }],
    ['a fractional parameter', { verdict: 'override', reviewer: 'x', action: { type: 'dispute.refund', params: { refundCents: 1.5 } } }],
  ])('refuses a review with %s (400, with the reason)', async (_why, payload) => {
    const { status, body } = await postJson(running, `/v1/reviews/${ids[1]}`, payload);
    expect(status).toBe(400);
    expect(typeof body.message).toBe('string');
  });

  it('answers 404 for a decision that is not in the queue, 400 for an id that is not one, 401 without the key', async () => {
    expect((await postJson(running, `/v1/reviews/${randomUUID()}`, { verdict: 'approve', reviewer: 'x' })).status).toBe(404);
    expect((await getJson(running, '/v1/reviews/not-a-uuid')).status).toBe(400);
    expect((await fetch(`${running.url}/v1/reviews`)).status).toBe(401);
  });

  it('overrides with an in-policy action, and rejects: each relayed with what was decided', async () => {
    expect((await postJson(running, `/v1/reviews/${ids[1]}`, { verdict: 'override', reviewer: 'ops-alice', note: 'ask first', action: { type: 'dispute.request-evidence', params: { from: 'seller', dueDays: 3 } } })).status).toBe(200);
    expect((await postJson(running, `/v1/reviews/${ids[2]}`, { verdict: 'reject', reviewer: 'ops-alice', note: 'handled by phone' })).body).toMatchObject({ outcome: 'rejected', action: null });
    await running.settle();
    const out = await relayed(running);
    expect(out.get(ids[1])).toMatchObject({ outcome: 'approved', action: { type: 'dispute.request-evidence', params: { from: 'seller', dueDays: 3 } }, review: { verdict: 'override' } });
    expect(out.get(ids[2])).toMatchObject({ outcome: 'rejected', action: null, review: { verdict: 'reject' } });
  });

  it('shows reviewed decisions with what was finally decided in the decision list', async () => {
    const { body } = await getJson(running, '/v1/decisions?limit=500');
    const byId = new Map((body.decisions as { decisionId: string; outcome: string; action: unknown }[]).map((d) => [d.decisionId, d]));
    expect(byId.get(ids[1])).toMatchObject({ outcome: 'approved', action: { type: 'dispute.request-evidence' } });
    expect(byId.get(ids[2])).toMatchObject({ outcome: 'rejected', action: null });
  });

  it('settles a review that times out with the policy\'s default (the fallback), and relays it', async () => {
    const later = new Date(Date.now() + 3 * 86_400_000);
    expect(await running.core.reviews.expireOverdue(later)).toBe(1);
    await running.settle();
    const review = (await getJson(running, `/v1/reviews/${ids[3]}`)).body;
    expect(review).toMatchObject({ status: 'resolved', review: { verdict: 'override', reviewer: 'policy-timeout', timedOut: true, outcome: 'fallback', action: { type: 'dispute.request-evidence', params: { from: 'buyer', dueDays: 7 } } } });
    expect((await relayed(running)).get(ids[3])).toMatchObject({ outcome: 'fallback', review: { timedOut: true } });
  });

  it('keeps a ledger in which every review verifies against the root key', async () => {
    const report = verifyRecords(await collectLedgerLeaves(running.core.platform.store), { trustRoot: running.core.keyRing.root });
    expect(report.failures).toEqual([]);
  });
});

describe('the reviews CLI against a running Arbiter', () => {
  let running: Running;
  let pending: string;

  beforeAll(async () => {
    running = await startAllInOne(freshDataDir());
    await tell(running, cases[4].history);
    const { body } = await decideOverHttp(running, cases[4].event);
    pending = body.decisions[0].decisionId;
    await running.settle();
  }, 120_000);
  afterAll(() => running.close());

  it('lists the pending review and approves it', async () => {
    const list = await cli(running, ['reviews', 'list', '--json']);
    expect(list.status).toBe(0);
    expect(JSON.parse(list.stdout).reviews.map((r: { decisionId: string }) => r.decisionId)).toContain(pending);
    const approve = await cli(running, ['reviews', 'approve', pending, '--reviewer', 'ops-carol', '--note', 'checked']);
    expect(approve.stderr).toBe('');
    expect(approve.status).toBe(0);
    expect(approve.stdout).toMatch(/^approved: .*"refundCents":60000.*"type":"dispute.refund"/);
  });

  it('exits 1 with the server\'s reason when a review is refused', async () => {
    const again = await cli(running, ['reviews', 'override', pending, '--reviewer', 'ops-carol', '--action', 'dispute.refund', '--param', 'refundCents=1']);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/409: .*already reviewed/);
  });
});
