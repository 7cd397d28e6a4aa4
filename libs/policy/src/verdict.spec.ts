import { join } from 'node:path';
import { PolicyBook, PolicyError, parsePolicy } from './policy-book';
import { judge } from './verdict';

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

describe('policy verdicts', () => {
  const policy = parsePolicy(yaml, 'refunds.yaml').document;

  it('approves a proposal inside every bound', () => {
    const verdict = judge(policy, { type: 'refund', params: { refundCents: 1200 } });
    expect(verdict.outcome).toBe('approved');
    expect(verdict.action).toEqual({ type: 'refund', params: { refundCents: 1200 } });
  });

  it('clamps a number the policy lets it clamp, and says so', () => {
    const verdict = judge(policy, { type: 'refund', params: { refundCents: 90_000 } });
    expect(verdict.outcome).toBe('clamped');
    expect(verdict.action).toEqual({ type: 'refund', params: { refundCents: 5000 } });
    expect(verdict.checks).toContainEqual({ check: 'param:refundCents', result: 'clamped', detail: '90000 clamped to 5000 (0..5000)' });
  });

  it('denies an action the policy does not list and takes the fallback', () => {
    const verdict = judge(policy, { type: 'refund-twice', params: {} });
    expect(verdict.outcome).toBe('fallback');
    expect(verdict.action).toEqual({ type: 'ask-evidence', params: { from: 'buyer' } });
  });

  it('denies parameters the policy does not define', () => {
    expect(judge(policy, { type: 'release-to-seller', params: { bonusCents: 100 } }).outcome).toBe('fallback');
  });

  it('denies a value outside an enumeration', () => {
    expect(judge(policy, { type: 'ask-evidence', params: { from: 'the moon' } }).outcome).toBe('fallback');
  });

  it('takes the fallback when there is no proposal', () => {
    expect(judge(policy, null)).toMatchObject({ outcome: 'fallback', action: { type: 'ask-evidence' } });
  });
});

describe('policy documents', () => {
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
  });
});
