import { canonicalize, sha256Hex } from '@arbiter/ledger';
import { CustomerStory } from '@arbiter/simulator';
import { decideOverHttp, decisionFor, tell } from './autonomy-helpers';
import { Running, freshDataDir, startAllInOne } from './harness';

describe('failed-payment retry strategy, end to end on simulated histories', () => {
  let running: Running;
  const now = new Date().toISOString();
  const loyal = new CustomerStory({ customerId: 'cus_pay_loyal', now, seed: 11 }).registered(900).orders(14, { overDays: 850, lateShare: 0.1 });
  const fresh = new CustomerStory({ customerId: 'cus_pay_new', now, seed: 12 }).registered(5).failedPayments(2, { daysAgo: 1, reason: 'insufficient_funds' });
  const failure = (story: CustomerStory, attempt: number) =>
    story.trigger('payment.failed', { paymentId: `${story.customerId}-pay-now`, customerId: story.customerId, amountCents: 4_200, currency: 'EUR', reason: 'insufficient_funds', attempt });
  const loyalFailure = failure(loyal, 1);
  const thirdFailure = failure(fresh, 3);

  beforeAll(async () => {
    running = await startAllInOne(freshDataDir());
    await tell(running, [...loyal.events(), ...fresh.events()]);
  }, 120_000);
  afterAll(() => running.close());

  it('given one failed payment, a long-standing customer gets a retry within the day, while a new account with its third failure gets collection stopped', async () => {
    const a = await decideOverHttp(running, loyalFailure);
    const b = await decideOverHttp(running, thirdFailure);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.body.decisions[0]).toMatchObject({ decisionPoint: 'payment.retry', outcome: 'approved', action: { type: 'payment.retry', params: { delayHours: 24 } } });
    expect(b.body.decisions[0]).toMatchObject({ decisionPoint: 'payment.retry', outcome: 'approved', action: { type: 'payment.stop', params: { reason: 'attempts-exhausted' } } });
  });

  it('records the memory it decided on, with its digest, the policy digest, and which reasoner decided and why', async () => {
    const record = await decisionFor(running, thirdFailure.id);
    const body = record.body as { context: { memory: { payments: object }; memoryDigest: string }; policy: object; reasoner: object; verdict: { checks: { check: string }[] } };
    expect(body.context.memory.payments).toMatchObject({ failureStreak: 2, succeeded90d: 0 });
    expect(body.context.memoryDigest).toBe(sha256Hex(canonicalize(body.context.memory)));
    expect(body.policy).toEqual({ id: 'payment-retry', version: 1, digest: running.core.policies.forPoint('payment.retry')!.digest });
    expect(body.reasoner).toMatchObject({ kind: 'heuristic', name: 'payment-retry/1', reason: 'no-model-endpoint' });
    expect(body.verdict.checks.map((c) => c.check)).toEqual(expect.arrayContaining(['action-allowed', 'param:reason', 'guard:fraud-stop-needs-signals', 'escalate:large-payment-stopped']));
  });
});
