import { eventOf, inputOf, memoryOf, shippedPolicies, verdictOn } from '../case-builder';
import type { CustomerMemory } from '@arbiter/memory';
import { accountEngagement, engagementHeuristic } from './account-engagement';

const policy = shippedPolicies.forPoint('saas.engagement')!;
const report = (value: number) => eventOf('usage.reported', { accountId: 'a1', metric: 'api_calls', value, periodStart: '2026-05-31T00:00:00Z', periodEnd: '2026-06-01T00:00:00Z' });
const history = (recent: number[], patch: Partial<CustomerMemory> = {}) =>
  memoryOf('a1', { accountAgeDays: 400, profile: { segment: 'business' }, usageTrends: [{ metric: 'api_calls', reports: recent.length, recent, average: Math.floor(recent.reduce((a, b) => a + b, 0) / recent.length) }], ...patch });

async function decide(value: number, memory: CustomerMemory) {
  const event = report(value);
  const facts = await accountEngagement.gatherFacts(event, undefined as never, memory);
  const input = inputOf(policy, event, memory, facts);
  const { proposal } = engagementHeuristic(input);
  return { proposal, verdict: verdictOn(input, proposal) };
}

describe('account engagement, offline heuristic', () => {
  it('given the same report, reaches out to an account whose usage collapsed but leaves a steady one alone', async () => {
    const falling = await decide(300, history([1000, 1100, 950, 1050, 990, 1020]));
    const steady = await decide(300, history([310, 290, 305, 295, 300, 310]));
    expect(falling.proposal).toMatchObject({ type: 'engagement.churn-outreach', params: { channel: 'success-call', discountBps: 1000 } });
    expect(falling.verdict.outcome).toBe('approved');
    expect(steady.proposal?.type).toBe('engagement.none');
  });

  it('offers no discount to an account of a few weeks', async () => {
    const { proposal, verdict } = await decide(300, history([1000, 1100, 950, 1050], { accountAgeDays: 20 }));
    expect(proposal).toMatchObject({ type: 'engagement.churn-outreach', params: { discountBps: 0 } });
    expect(verdict.outcome).toBe('approved');
  });

  it('does not contact an account it contacted three days ago', async () => {
    const contacted = history([1000, 1100, 950, 1050], {
      decisions: [{ decisionId: 'd0', decisionPoint: 'saas.engagement', outcome: 'approved', action: { type: 'engagement.churn-outreach', params: {} }, result: null, decidedAt: '2026-05-29T12:00:00.000Z' }],
    });
    expect((await decide(300, contacted)).proposal?.type).toBe('engagement.none');
  });

  it('offers an upgrade to an account growing well past its history', async () => {
    const { proposal, verdict } = await decide(60_000, history([20_000, 22_000, 21_000, 19_000, 20_500]));
    expect(proposal).toMatchObject({ type: 'engagement.upgrade-offer', params: { plan: 'enterprise' } });
    expect(verdict.outcome).toBe('approved');
  });

  it('reads no trend into too short a history', async () => {
    expect((await decide(10, history([1000, 1100]))).proposal?.type).toBe('engagement.none');
  });
});
