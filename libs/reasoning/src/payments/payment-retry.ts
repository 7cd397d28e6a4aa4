import type { DomainEvent } from '@arbiter/contracts';
import { HARD_DECLINES } from '@arbiter/memory';
import type { Proposal } from '@arbiter/policy';
import { clampTo, integerBound, optionOf } from '../allowed';
import type { DecisionPoint, ReasoningInput, ReasonerResult } from '../decision-point';
import { paymentRetryPrompt, paymentRetryPromptData } from './prompt';

type PaymentFailed = Extract<DomainEvent, { type: 'payment.failed' }>;

/** How long to wait before retrying, by decline reason: funds come back on payday, glitches in an hour. */
const RETRY_HOURS: Record<string, { valued?: number; other?: number }> = {
  insufficient_funds: { valued: 24, other: 48 },
  processing_error: { valued: 1, other: 2 },
  // A generic decline is worth one patient retry for a customer with a track record only.
  do_not_honor: { valued: 24 },
};

/** What memory says about the payer, in the terms the strategy uses. */
export function payerProfile(input: ReasoningInput<PaymentFailed>) {
  const { memory: m, event } = input;
  const hardDecline = HARD_DECLINES.includes(event.data.reason);
  const fraudSignals = m.payments.hardDeclines90d + m.disputes.unauthorizedClaims365d + (hardDecline ? 1 : 0);
  const longStanding = m.stats.orders >= 5 || m.stats.lifetimeValueCents >= 50_000 || (m.payments.succeeded90d >= 3 && (m.accountAgeDays ?? 0) >= 90);
  const newAccount = !longStanding && ((m.accountAgeDays ?? 0) < 30 || m.payments.succeeded90d === 0);
  return { fraudSignals, longStanding, newAccount, streak: m.payments.failureStreak + 1, hardDecline };
}

/**
 * The offline retry strategy: stop when fraud signals pile up on an account that has not earned
 * trust, or when a new account keeps failing; retry long-standing customers soon; otherwise
 * retry after a delay that suits the decline reason, or ask for another payment method when
 * retrying the same one cannot work.
 */
export function paymentRetryHeuristic(input: ReasoningInput<PaymentFailed>): ReasonerResult {
  const reasoner = { kind: 'heuristic' as const, name: 'payment-retry/1' };
  const { event } = input;
  const p = payerProfile(input);
  const retry = optionOf(input, 'payment.retry');
  const delay = integerBound(retry, 'delayHours');
  const grace = integerBound(optionOf(input, 'payment.request-new-method'), 'graceDays');
  const propose = (proposal: Proposal): ReasonerResult => ({ proposal, reasoner });
  const newMethod = (channel: 'email' | 'in-app', days: number, confidenceBps: number, why: string) =>
    propose({ type: 'payment.request-new-method', params: { channel, graceDays: clampTo(days, grace) }, confidenceBps, rationale: why });

  if (p.fraudSignals >= 2 && !p.longStanding) {
    return propose({ type: 'payment.stop', params: { reason: 'fraud-risk' }, confidenceBps: 8000, rationale: `${p.fraudSignals} fraud signals (hard declines, unauthorized-charge disputes) on an account without a track record` });
  }
  if (p.newAccount && p.streak >= 3) {
    return propose({ type: 'payment.stop', params: { reason: 'attempts-exhausted' }, confidenceBps: 7000, rationale: `new account, ${p.streak} failed payments in a row and none succeeded` });
  }
  if (!retry) return newMethod('email', 7, 7000, `retrying is not allowed here (attempt ${event.data.attempt})`);
  if (event.data.reason === 'card_expired') return newMethod('email', p.longStanding ? 10 : 7, 9000, 'the card has expired: retrying it cannot succeed');
  if (event.data.reason === 'authentication_required') return newMethod('in-app', 3, 8500, 'the bank wants the customer to authenticate the payment');
  const hours = RETRY_HOURS[event.data.reason]?.[p.longStanding ? 'valued' : 'other'];
  if (!hours) return newMethod('email', 5, 7000, `the issuer declined (${event.data.reason}); another method is the safer path`);
  const why = p.longStanding ? `long-standing customer (${input.memory.stats.orders} orders): retry soon` : 'retry after the usual delay for this decline';
  return propose({ type: 'payment.retry', params: { delayHours: clampTo(hours, delay) }, confidenceBps: p.longStanding ? 8500 : 7500, rationale: `${why}; reason ${event.data.reason}, failure ${p.streak} in a row` });
}

export const paymentRetry: DecisionPoint<'payment.failed'> = {
  id: 'payment.retry',
  triggers: ['payment.failed'],
  subjectOf: (e) => e.data.customerId,
  subjectRefOf: (e) => e.data.paymentId,
  memory: ['payments', 'disputes'],
  // Memory holds all it weighs; the failed payment carries the amount.
  gatherFacts: async () => ({}),
  heuristic: paymentRetryHeuristic,
  prompt: paymentRetryPrompt,
  promptData: paymentRetryPromptData,
};
