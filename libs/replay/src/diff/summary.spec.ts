import type { DecisionDiff, DecisionSide } from './decision-diff';
import { addToSummary, emptySummary, mergeSummary } from './summary';

const side = (outcome: DecisionSide['outcome'], refundCents: number | null, pending = false): DecisionSide => {
  const action = refundCents === null ? { type: 'dispute.request-evidence', params: { from: 'buyer', dueDays: 7 } } : { type: 'dispute.refund', params: { refundCents } };
  return { policy: { id: 'p', version: 1, digest: 'd' }, reasoner: { kind: 'heuristic', source: 'recorded' }, proposal: null, outcome, action: pending ? null : action, pending: pending ? { action, outcome: 'approved' } : null, escalatedBy: [], flaggedChecks: [] };
};

const diff = (id: number, point: string, recorded: DecisionSide, candidate: DecisionSide | null, status: DecisionDiff['status']): DecisionDiff => ({
  decisionId: `d${id}`, decisionPoint: point, customer: 'c', trigger: { eventId: `e${id}`, type: 't', time: '2026-06-01T00:00:00.000Z', source: 'archive', recordedDigest: 'x' },
  ledger: { chain: 'decisions-c', seq: id, hash: 'h', time: '2026-06-01T00:00:00.000Z' }, status, changes: status === 'changed' ? ['outcome', 'newly-clamped'] : [], recorded, candidate,
});

const diffs: DecisionDiff[] = [
  diff(1, 'dispute.resolution', side('approved', 40_000), side('clamped', 30_000), 'changed'),
  diff(2, 'dispute.resolution', side('escalated', 90_000, true), side('escalated', 30_000, true), 'changed'),
  diff(3, 'dispute.resolution', side('approved', null), side('approved', null), 'unchanged'),
  diff(4, 'order.fulfillment', side('approved', null), null, 'trigger-missing'),
  diff(5, 'dispute.resolution', side('approved', 10_000), side('approved', 10_000), 'unchanged'),
];

describe('the replay summary', () => {
  it('totals refunds executed and held for review on each side, counting only decisions that were replayed', () => {
    const summary = emptySummary();
    for (const d of diffs) addToSummary(summary, d);
    const disputes = summary.byPoint.find((p) => p.decisionPoint === 'dispute.resolution')!;
    expect(disputes.amounts['dispute.refund/refundCents']).toEqual({ recorded: 50_000, candidate: 40_000, recordedPending: 90_000, candidatePending: 30_000 });
    expect(disputes.transitions).toEqual({ 'approved→clamped': 1, 'escalated→escalated': 1, 'approved→approved': 2 });
    expect(summary.statuses).toMatchObject({ unchanged: 2, changed: 2, 'trigger-missing': 1 });
    expect(summary.byPoint.find((p) => p.decisionPoint === 'order.fulfillment')!.outcomes).toEqual({ recorded: {}, candidate: {} });
  });

  it('adds up batch by batch to what it is all at once', () => {
    const whole = emptySummary();
    for (const d of diffs) addToSummary(whole, d);
    const merged = emptySummary();
    for (const batch of [diffs.slice(0, 2), diffs.slice(2, 3), diffs.slice(3)]) {
      const part = emptySummary();
      for (const d of batch) addToSummary(part, d);
      mergeSummary(merged, part);
    }
    expect(merged).toEqual(whole);
  });
});
