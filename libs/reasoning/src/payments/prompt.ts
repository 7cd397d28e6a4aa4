import type { DomainEvent } from '@arbiter/contracts';
import type { Json } from '@arbiter/ledger';
import type { ReasoningInput } from '../decision-point';
import type { PromptTemplate } from '../model/prompt';

type PaymentFailed = Extract<DomainEvent, { type: 'payment.failed' }>;

export const paymentRetryPrompt: PromptTemplate = {
  id: 'payment-retry',
  version: 1,
  system: [
    'You decide what happens after a card payment fails: retry it later, ask the customer for another payment method, or stop collecting.',
    'Weigh the customer\'s value and history against fraud signals: long-standing customers with a rare failure deserve a quick, low-friction retry;',
    'new accounts with repeated failures, hard declines (do_not_honor, authentication_required) or unauthorized-charge disputes deserve caution.',
    'Retrying an expired card cannot succeed; insufficient funds need a day or more.',
  ].join('\n'),
  task: 'Choose the retry strategy for the failed payment in the data.',
};

export function paymentRetryPromptData(input: ReasoningInput<PaymentFailed>): { [key: string]: Json } {
  const { data } = input.event;
  const m = input.memory;
  return {
    failedPayment: { amountCents: data.amountCents, currency: data.currency, declineReason: data.reason, attempt: data.attempt },
    customer: {
      known: m.known,
      accountAgeDays: m.accountAgeDays,
      segment: m.profile.segment,
      orders: m.stats.orders,
      lifetimeValueCents: m.stats.lifetimeValueCents,
      payments: m.payments as unknown as Json,
      disputes: { opened365d: m.disputes.opened365d, unauthorizedClaims365d: m.disputes.unauthorizedClaims365d },
    },
  };
}
