import type { VerdictView } from '../recorded/recorded-decision';
import { changesBetween } from './decision-diff';

const refund = (refundCents: number) => ({ type: 'dispute.refund', params: { refundCents } });
const verdict = (v: Partial<VerdictView>): VerdictView => ({ outcome: 'approved', action: null, checks: [], pending: null, escalatedBy: [], ...v });

describe('how a candidate verdict differs from the recorded one', () => {
  it('finds nothing when outcome, action and held action are the same, whatever the order of the parameters', () => {
    const recorded = verdict({ action: { type: 'x', params: { a: 1, b: 'two' } } });
    const candidate = verdict({ action: { type: 'x', params: { b: 'two', a: 1 } } });
    expect(changesBetween(recorded, candidate)).toEqual([]);
  });

  it('calls an escalated refund that the candidate clamps and executes newly clamped and no longer escalated', () => {
    const recorded = verdict({ outcome: 'escalated', pending: { action: refund(90_000), outcome: 'approved' } });
    const candidate = verdict({ outcome: 'clamped', action: refund(30_000) });
    expect(changesBetween(recorded, candidate)).toEqual(['outcome', 'newly-clamped', 'no-longer-escalated', 'action-type']);
  });

  it('calls a smaller refund of the same kind a change of parameters', () => {
    expect(changesBetween(verdict({ action: refund(500) }), verdict({ outcome: 'clamped', action: refund(300) }))).toEqual(['outcome', 'newly-clamped', 'action-params']);
  });

  it('sees a different action held for review when both wait for a human', () => {
    const recorded = verdict({ outcome: 'escalated', pending: { action: refund(90_000), outcome: 'approved' } });
    const candidate = verdict({ outcome: 'escalated', pending: { action: refund(30_000), outcome: 'clamped' } });
    expect(changesBetween(recorded, candidate)).toEqual(['pending-action']);
  });

  it('calls a fallback where an action was approved newly fallback', () => {
    const recorded = verdict({ action: { type: 'payment.retry', params: { delayHours: 12 } } });
    const candidate = verdict({ outcome: 'fallback', action: { type: 'payment.request-new-method', params: { channel: 'email', graceDays: 7 } } });
    expect(changesBetween(recorded, candidate)).toEqual(['outcome', 'newly-fallback', 'action-type']);
  });
});
