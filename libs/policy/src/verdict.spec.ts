import { join } from 'node:path';
import { allowedActions } from './allowed-actions';
import { caseBindings } from './compiled-policy';
import { PolicyBook, PolicyError, parsePolicy } from './policy-book';
import { checkOverride, judge } from './verdict';

const yaml = `
policyId: refunds
version: 3
decisionPoint: dispute.resolution
trigger: { types: [dispute.opened] }
actions:
  - type: refund
    params:
      refundCents: { integer: { min: 0, max: 5000 }, clamp: true }
  - type: release-to-seller
    params: {}
  - type: ask-evidence
    params:
      from: { enum: [buyer, seller] }
fallback: { type: ask-evidence, params: { from: buyer } }
`;

const guarded = `
policyId: refunds
version: 4
decisionPoint: dispute.resolution
trigger: { types: [dispute.opened] }
actions:
  - type: refund
    params:
      refundCents: { integer: { min: 1, max: 100000 }, clamp: true, maxFrom: event.data.amountCents }
  - type: release-to-seller
    when: event.data.messages.exists(m, m.from == "seller")
    params: {}
  - type: ask-evidence
    params:
      from: { enum: [buyer, seller] }
guards:
  - id: refund-within-order
    appliesTo: [refund]
    expr: proposal.params.refundCents <= facts.orderTotalCents
  - id: no-refund-to-flagged-buyers
    appliesTo: [refund]
    expr: "!memory.flagged"
    onFail: escalate
escalation:
  rules:
    - id: low-confidence
      when: proposal.confidenceBps < 5000
    - id: big-refund
      when: action.type == "refund" && action.params.refundCents > 20000
  review: { timeoutSeconds: 3600 }
fallback: { type: ask-evidence, params: { from: buyer } }
`;

const dispute = (amountCents: number, messages: { from: string; text: string }[] = []) => ({ type: 'dispute.opened', data: { amountCents, messages } });

describe('policy verdicts', () => {
  const loaded = parsePolicy(yaml, 'refunds.yaml');
  const policy = loaded;
  const judgeSimple = (proposal: Parameters<typeof judge>[1]) => judge(policy, proposal, caseBindings(loaded.document, { event: {}, memory: {}, facts: {} }));

  it('approves a proposal inside every bound', () => {
    const verdict = judgeSimple({ type: 'refund', params: { refundCents: 1200 } });
    expect(verdict.outcome).toBe('approved');
    expect(verdict.action).toEqual({ type: 'refund', params: { refundCents: 1200 } });
  });

  it('clamps a number the policy lets it clamp, and says so', () => {
    const verdict = judgeSimple({ type: 'refund', params: { refundCents: 90_000 } });
    expect(verdict.outcome).toBe('clamped');
    expect(verdict.action).toEqual({ type: 'refund', params: { refundCents: 5000 } });
    expect(verdict.checks).toContainEqual({ check: 'param:refundCents', result: 'clamped', detail: '90000 clamped to 5000 (0..5000)' });
  });

  it('denies an action the policy does not list and takes the fallback', () => {
    const verdict = judgeSimple({ type: 'refund-twice', params: {} });
    expect(verdict.outcome).toBe('fallback');
    expect(verdict.action).toEqual({ type: 'ask-evidence', params: { from: 'buyer' } });
  });

  it('denies parameters the policy does not define', () => {
    expect(judgeSimple({ type: 'release-to-seller', params: { bonusCents: 100 } }).outcome).toBe('fallback');
  });

  it('denies a value outside an enumeration', () => {
    expect(judgeSimple({ type: 'ask-evidence', params: { from: 'the moon' } }).outcome).toBe('fallback');
  });

  it('takes the fallback when there is no proposal', () => {
    expect(judgeSimple(null)).toMatchObject({ outcome: 'fallback', action: { type: 'ask-evidence' } });
  });
});

describe('guards, case-dependent bounds and escalation', () => {
  const policy = parsePolicy(guarded, 'guarded.yaml');
  const bindings = (event: object, memory: object = { flagged: false }, facts: object = { orderTotalCents: 50_000 }) => caseBindings(policy.document, { event, memory, facts });

  it('bounds a refund by the disputed amount, computed for the case before any reasoner is asked', () => {
    const allowed = allowedActions(policy, bindings(dispute(4500)));
    expect(allowed.actions.find((a) => a.type === 'refund')?.params.refundCents).toEqual({ kind: 'integer', min: 1, max: 4500, clamp: true });
  });

  it('offers an action only where its condition holds, and says why it is unavailable elsewhere', () => {
    const allowed = allowedActions(policy, bindings(dispute(4500)));
    expect(allowed.actions.map((a) => a.type)).toEqual(['refund', 'ask-evidence']);
    expect(allowed.unavailable).toEqual([{ type: 'release-to-seller', reason: expect.stringMatching(/condition does not hold/) }]);
    const verdict = judge(policy, { type: 'release-to-seller', params: {}, confidenceBps: 9000 }, bindings(dispute(4500)));
    expect(verdict.outcome).toBe('fallback');
    expect(verdict.checks[0]).toEqual({ check: 'action-allowed', result: 'fail', detail: expect.stringMatching(/not allowed here: its condition does not hold/) });
  });

  it('clamps a refund above the disputed amount to it, and lists every guard and rule it passed', () => {
    const verdict = judge(policy, { type: 'refund', params: { refundCents: 9000 }, confidenceBps: 9000 }, bindings(dispute(4500)));
    expect(verdict).toMatchObject({ outcome: 'clamped', action: { type: 'refund', params: { refundCents: 4500 } } });
    expect(verdict.checks.map((c) => [c.check, c.result])).toEqual([
      ['action-allowed', 'pass'],
      ['param:refundCents', 'clamped'],
      ['guard:refund-within-order', 'pass'],
      ['guard:no-refund-to-flagged-buyers', 'pass'],
      ['escalate:low-confidence', 'pass'],
      ['escalate:big-refund', 'pass'],
    ]);
  });

  it('takes the fallback when a guard fails, and shows which', () => {
    const verdict = judge(policy, { type: 'refund', params: { refundCents: 3000 }, confidenceBps: 9000 }, bindings(dispute(4500), { flagged: false }, { orderTotalCents: 2000 }));
    expect(verdict.outcome).toBe('fallback');
    expect(verdict.action).toEqual({ type: 'ask-evidence', params: { from: 'buyer' } });
    expect(verdict.checks).toContainEqual({ check: 'guard:refund-within-order', result: 'fail', detail: 'violated: proposal.params.refundCents <= facts.orderTotalCents' });
  });

  it('treats a guard it cannot evaluate as failed (default deny)', () => {
    const verdict = judge(policy, { type: 'refund', params: { refundCents: 3000 }, confidenceBps: 9000 }, bindings(dispute(4500), { flagged: false }, {}));
    expect(verdict.outcome).toBe('fallback');
    expect(verdict.checks.find((c) => c.check === 'guard:refund-within-order')).toMatchObject({ result: 'fail', detail: expect.stringMatching(/could not be evaluated/) });
  });

  it('escalates on a guard marked so, holding the fallback rather than the refused proposal', () => {
    const verdict = judge(policy, { type: 'refund', params: { refundCents: 3000 }, confidenceBps: 9000 }, bindings(dispute(4500), { flagged: true }));
    expect(verdict).toMatchObject({ outcome: 'escalated', action: null, escalation: { rules: ['guard:no-refund-to-flagged-buyers'], pendingAction: { type: 'ask-evidence' }, pendingOutcome: 'fallback' } });
  });

  it('escalates a high-stakes action with the action itself pending', () => {
    const verdict = judge(policy, { type: 'refund', params: { refundCents: 30_000 }, confidenceBps: 9000 }, bindings(dispute(40_000)));
    expect(verdict).toMatchObject({ outcome: 'escalated', action: null, escalation: { rules: ['big-refund'], pendingAction: { type: 'refund', params: { refundCents: 30_000 } }, pendingOutcome: 'approved' } });
  });

  it('escalates a proposal its reasoner is unsure of', () => {
    expect(judge(policy, { type: 'ask-evidence', params: { from: 'seller' }, confidenceBps: 1200 }, bindings(dispute(4500))).escalation?.rules).toEqual(['low-confidence']);
  });

  it('accepts a reviewer\'s override only inside the bounds as given, without clamping it', () => {
    expect(checkOverride(policy, { type: 'refund', params: { refundCents: 4000 } }, bindings(dispute(4500))).ok).toBe(true);
    const over = checkOverride(policy, { type: 'refund', params: { refundCents: 9000 } }, bindings(dispute(4500)));
    expect(over.ok).toBe(false);
    expect(over.checks).toContainEqual(expect.objectContaining({ check: 'param:refundCents', result: 'clamped' }));
    expect(checkOverride(policy, { type: 'wire-money', params: {} }, bindings(dispute(4500))).ok).toBe(false);
  });
});

describe('policy documents', () => {
  it('refuses an expression that does not parse, naming it', () => {
    expect(() => parsePolicy(guarded.replace('proposal.params.refundCents <= facts.orderTotalCents', 'proposal.params.refundCents <=* facts'), 'bad.yaml')).toThrow(/does not parse.*<=\*/);
  });

  it('refuses a guard that names an action the policy does not have', () => {
    expect(() => parsePolicy(guarded.replace('appliesTo: [refund]', 'appliesTo: [refund-all]'), 'bad.yaml')).toThrow(/refund-all/);
  });

  it('refuses a fallback the policy itself would deny', () => {
    expect(() => parsePolicy(yaml.replace('from: buyer }', 'from: nobody }'), 'bad.yaml')).toThrow(PolicyError);
  });

  it('refuses duplicate keys and unknown fields', () => {
    expect(() => parsePolicy(yaml + 'version: 4\n', 'dup.yaml')).toThrow(/not valid YAML/);
    expect(() => parsePolicy(yaml + 'allowEverything: true\n', 'extra.yaml')).toThrow(PolicyError);
  });

  it('gives the same digest to the same document, and another to a changed one', () => {
    expect(parsePolicy(yaml, 'a').digest).toBe(parsePolicy(yaml, 'b').digest);
    expect(parsePolicy(yaml.replace('max: 5000', 'max: 4000'), 'c').digest).not.toBe(parsePolicy(yaml, 'a').digest);
  });

  it('loads the policies shipped in policies/', () => {
    const book = PolicyBook.load(join(__dirname, '..', '..', '..', 'policies'));
    expect(book.forPoint('order.fulfillment')?.document.policyId).toBe('order-fulfillment');
    expect(book.all().map((p) => p.document.decisionPoint).sort()).toEqual(['dispute.resolution', 'order.fulfillment', 'payment.retry', 'saas.engagement']);
  });
});
