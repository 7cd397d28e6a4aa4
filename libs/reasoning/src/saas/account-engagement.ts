import type { DomainEvent } from '@arbiter/contracts';
import type { Json } from '@arbiter/ledger';
import type { CustomerMemory } from '@arbiter/memory';
import { clampTo, integerBound, optionOf } from '../allowed';
import type { DecisionPoint, ReasoningInput, ReasonerResult } from '../decision-point';
import { engagementPrompt, engagementPromptData } from './prompt';

type UsageReported = Extract<DomainEvent, { type: 'usage.reported' }>;

export const ENGAGEMENT_POINT = 'saas.engagement';
const NEVER = 9999;

/** The reported value against the account's recent reports of the same metric. */
export interface UsageTrendFacts {
  metric: string;
  value: number;
  /** Integer mean of the previous reports (0 when there are none). */
  baseline: number;
  /** Change against the baseline in basis points (−10000 is a drop to nothing). */
  changeBps: number;
  previousReports: number;
}

export function trendOf(event: UsageReported, memory: CustomerMemory): UsageTrendFacts {
  const history = memory.usageTrends.find((t) => t.metric === event.data.metric);
  const baseline = history?.average ?? 0;
  const changeBps = baseline > 0 ? Math.trunc(((event.data.value - baseline) * 10_000) / baseline) : 0;
  return { metric: event.data.metric, value: event.data.value, baseline, changeBps, previousReports: history?.recent.length ?? 0 };
}

/** Days since the last churn or upgrade intervention this point made for the account. */
export function daysSinceLastIntervention(memory: CustomerMemory): number {
  const asOf = Date.parse(memory.asOf ?? new Date().toISOString());
  const last = memory.decisions.find((d) => {
    const type = (d.action as { type?: unknown } | null)?.type;
    return d.decisionPoint === ENGAGEMENT_POINT && typeof type === 'string' && type !== 'engagement.none';
  });
  return last ? Math.max(0, Math.floor((asOf - Date.parse(last.decidedAt)) / 86_400_000)) : NEVER;
}

const PLAN_FOR = (metric: string, value: number) =>
  metric === 'api_calls' ? (value >= 50_000 ? 'enterprise' : 'business') : metric === 'active_seats' ? (value >= 100 ? 'enterprise' : 'business') : 'team';

/**
 * The offline engagement reasoner: a clear fall in usage against the account's own recent history
 * gets outreach (a discount only for accounts that have been with us a while); strong growth gets
 * an upgrade offer; too little history, a recent intervention, or a steady trend gets nothing.
 */
export function engagementHeuristic(input: ReasoningInput<UsageReported>): ReasonerResult {
  const reasoner = { kind: 'heuristic' as const, name: 'account-engagement/1' };
  const trend = input.facts.trend as unknown as UsageTrendFacts;
  const since = Number(input.facts.daysSinceLastIntervention);
  const none = (confidenceBps: number, why: string): ReasonerResult => ({ proposal: { type: 'engagement.none', params: {}, confidenceBps, rationale: why }, reasoner });
  if (trend.previousReports < 3) return none(8000, `only ${trend.previousReports} earlier report(s) of ${trend.metric}: too little history to read a trend`);
  if (since < 7) return none(8500, `the account was contacted ${since} day(s) ago`);
  const tenure = input.memory.accountAgeDays ?? 0;
  const outreach = optionOf(input, 'engagement.churn-outreach');
  if (trend.changeBps <= -4000 && outreach) {
    const discount = clampTo(tenure >= 180 ? 1000 : tenure >= 90 ? 500 : 0, integerBound(outreach, 'discountBps'));
    const channel = trend.changeBps <= -6000 && input.memory.profile.segment === 'business' ? 'success-call' : 'email';
    return {
      proposal: {
        type: 'engagement.churn-outreach',
        params: { channel, discountBps: discount },
        confidenceBps: 7500,
        rationale: `${trend.metric} fell to ${trend.value} from a baseline of ${trend.baseline} (${trend.changeBps} bps); tenure ${tenure} days`,
      },
      reasoner,
    };
  }
  const upgrade = optionOf(input, 'engagement.upgrade-offer');
  if (trend.changeBps >= 5000 && trend.previousReports >= 4 && upgrade) {
    return {
      proposal: {
        type: 'engagement.upgrade-offer',
        params: { plan: PLAN_FOR(trend.metric, trend.value), trialDays: clampTo(14, integerBound(upgrade, 'trialDays')) },
        confidenceBps: 7000,
        rationale: `${trend.metric} grew to ${trend.value} from a baseline of ${trend.baseline} (+${trend.changeBps} bps)`,
      },
      reasoner,
    };
  }
  return none(7500, `${trend.metric} is within its usual range (${trend.changeBps} bps against its baseline)`);
}

export const accountEngagement: DecisionPoint<'usage.reported'> = {
  id: ENGAGEMENT_POINT,
  triggers: ['usage.reported'],
  subjectOf: (e) => e.data.accountId,
  subjectRefOf: (e) => `${e.data.accountId}/${e.data.metric}/${e.data.periodEnd}`,
  memory: ['usageTrends', 'decisions'],
  gatherFacts: async (e, _reader, memory) => ({
    trend: trendOf(e, memory) as unknown as { [key: string]: Json },
    daysSinceLastIntervention: daysSinceLastIntervention(memory),
  }),
  heuristic: engagementHeuristic,
  prompt: engagementPrompt,
  promptData: engagementPromptData,
};
