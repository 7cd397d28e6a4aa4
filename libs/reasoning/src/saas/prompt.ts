import type { DomainEvent } from '@arbiter/contracts';
import type { Json } from '@arbiter/ledger';
import type { ReasoningInput } from '../decision-point';
import type { PromptTemplate } from '../model/prompt';

type UsageReported = Extract<DomainEvent, { type: 'usage.reported' }>;

export const engagementPrompt: PromptTemplate = {
  id: 'account-engagement',
  version: 1,
  system: [
    'You look after the accounts of a B2B software product. For each usage report you decide whether the account needs anything:',
    'outreach when its usage is falling against its own history (a churn risk), an upgrade offer when it is growing into a larger plan, or nothing.',
    'Most reports need nothing. Do not contact an account again within a week. Offer discounts only to accounts that have been customers for months.',
  ].join('\n'),
  task: 'Decide whether the account in the data needs an intervention.',
};

export function engagementPromptData(input: ReasoningInput<UsageReported>): { [key: string]: Json } {
  const m = input.memory;
  return {
    report: { metric: input.event.data.metric, value: input.event.data.value, periodStart: input.event.data.periodStart, periodEnd: input.event.data.periodEnd },
    trend: input.facts.trend ?? null,
    daysSinceLastIntervention: input.facts.daysSinceLastIntervention ?? null,
    account: { accountAgeDays: m.accountAgeDays, segment: m.profile.segment, usageTrends: m.usageTrends as unknown as Json },
  };
}
