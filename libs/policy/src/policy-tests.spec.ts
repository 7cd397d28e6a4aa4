import { join } from 'node:path';
import { PolicyBook } from './policy-book';
import { loadPolicyTests, runPolicyTest } from './policy-tests';

// Every policy's own unit tests (policies/tests/*.yaml): given an event, memory and a proposal, the expected verdict.
const POLICIES = join(__dirname, '..', '..', '..', 'policies');
const book = PolicyBook.load(POLICIES);
const suites = loadPolicyTests(POLICIES);

describe('the shipped policies and their tests', () => {
  it('has tests for every policy', () => {
    expect(suites.map((s) => s.policyId).sort()).toEqual(book.all().map((p) => p.document.policyId).sort());
  });
});

describe('a policy test', () => {
  const policy = book.forPoint('payment.retry')!;
  const given = { event: { type: 'payment.failed', data: { paymentId: 'p1', customerId: 'c1', amountCents: 2500, currency: 'EUR', reason: 'card_expired', attempt: 1 } }, memory: {}, facts: {} };

  it('reports each expectation the verdict does not meet', () => {
    const result = runPolicyTest(policy, {
      name: 'wrong on purpose',
      given,
      when: { proposal: { type: 'payment.retry', params: { delayHours: 24 }, confidenceBps: 9000 } },
      then: { outcome: 'approved', checks: { 'guard:expired-card-is-not-retried': 'pass', 'guard:no-such-guard': 'pass' } },
    });
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      'outcome: expected approved, got fallback',
      expect.stringMatching(/^check guard:expired-card-is-not-retried: expected pass, got fail/),
      'check guard:no-such-guard: expected pass, but the verdict has no such check',
    ]);
  });

  it('refuses a given event that breaks its contract', () => {
    const result = runPolicyTest(policy, { name: 'bad event', given: { ...given, event: { type: 'payment.failed', data: { paymentId: 'p1' } } }, when: { proposal: null }, then: { outcome: 'fallback' } });
    expect(result.problems).toEqual([expect.stringMatching(/^the given event is invalid: invalid payment.failed data/)]);
  });
});

describe.each(suites.map((s) => [s.policyId, s] as const))('policy %s', (policyId, suite) => {
  const policy = book.all().find((p) => p.document.policyId === policyId)!;
  it.each(suite.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const result = runPolicyTest(policy, c);
    expect(result.problems).toEqual([]);
  });
});
