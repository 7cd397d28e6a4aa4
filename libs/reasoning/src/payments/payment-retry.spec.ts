import { eventOf, inputOf, memoryOf, shippedPolicies, verdictOn } from '../case-builder';
import { paymentRetryHeuristic } from './payment-retry';

const policy = shippedPolicies.forPoint('payment.retry')!;
const failed = (reason: string, attempt = 1, amountCents = 4_000) =>
  eventOf('payment.failed', { paymentId: 'p1', orderId: 'o1', customerId: 'c1', amountCents, currency: 'EUR', reason, attempt });

const longStanding = memoryOf('c1', { accountAgeDays: 900, stats: { orders: 14, lifetimeValueCents: 180_000 }, payments: { succeeded90d: 6, failed90d: 0, failureStreak: 0 } });
const newAccount = (streak: number) => memoryOf('c1', { accountAgeDays: 4, stats: { orders: 3, lifetimeValueCents: 12_000 }, payments: { succeeded90d: 0, failed90d: streak, failureStreak: streak } });

describe('payment retry, offline heuristic', () => {
  it('given a long-standing customer with one failed payment, retries within the day', () => {
    const input = inputOf(policy, failed('insufficient_funds'), longStanding, {});
    const { proposal } = paymentRetryHeuristic(input);
    expect(proposal).toMatchObject({ type: 'payment.retry', params: { delayHours: 24 } });
    expect(verdictOn(input, proposal).outcome).toBe('approved');
  });

  it('given a new account with its third failure in a row, stops collecting instead', () => {
    const input = inputOf(policy, failed('insufficient_funds', 3), newAccount(2), {});
    const { proposal } = paymentRetryHeuristic(input);
    expect(proposal).toMatchObject({ type: 'payment.stop', params: { reason: 'attempts-exhausted' } });
    expect(verdictOn(input, proposal).outcome).toBe('approved');
  });

  it('given hard declines and an unauthorized-charge dispute on a young account, stops for fraud risk', () => {
    const memory = memoryOf('c1', { accountAgeDays: 10, payments: { hardDeclines90d: 1 }, disputes: { unauthorizedClaims365d: 1, opened365d: 1 } });
    const input = inputOf(policy, failed('do_not_honor', 2), memory, {});
    expect(paymentRetryHeuristic(input).proposal).toMatchObject({ type: 'payment.stop', params: { reason: 'fraud-risk' } });
    expect(verdictOn(input, paymentRetryHeuristic(input).proposal).outcome).toBe('approved');
  });

  it('never retries an expired card: asks for a new method', () => {
    expect(paymentRetryHeuristic(inputOf(policy, failed('card_expired'), longStanding, {})).proposal).toMatchObject({ type: 'payment.request-new-method', params: { channel: 'email' } });
  });

  it('asks in the app when the bank wants the customer to authenticate', () => {
    expect(paymentRetryHeuristic(inputOf(policy, failed('authentication_required'), longStanding, {})).proposal).toMatchObject({ type: 'payment.request-new-method', params: { channel: 'in-app' } });
  });

  it('after the last allowed attempt, proposes something other than a retry', () => {
    const input = inputOf(policy, failed('processing_error', 4), longStanding, {});
    expect(input.allowed.actions.map((a) => a.type)).not.toContain('payment.retry');
    expect(paymentRetryHeuristic(input).proposal?.type).toBe('payment.request-new-method');
  });
});
