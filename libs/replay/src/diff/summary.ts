import type { Action, DecisionOutcome } from '@arbiter/contracts';
import { CHANGE_KINDS, ChangeKind, DIFF_STATUSES, DecisionDiff, DiffStatus } from './decision-diff';

/** Money moved by actions of one kind (e.g. `dispute.refund/refundCents`), in minor units: executed, and held for a human. */
export interface AmountTotals {
  recorded: number;
  candidate: number;
  recordedPending: number;
  candidatePending: number;
}

export interface PointSummary {
  decisionPoint: string;
  decisions: number;
  statuses: Record<DiffStatus, number>;
  changes: Record<ChangeKind, number>;
  /** Outcomes of the decisions replayed, on each side. */
  outcomes: { recorded: Partial<Record<DecisionOutcome, number>>; candidate: Partial<Record<DecisionOutcome, number>> };
  /** `recorded→candidate` outcome pairs of the decisions replayed. */
  transitions: Record<string, number>;
  amounts: Record<string, AmountTotals>;
  /** `policyId@version` of the recorded policies, and of the candidate. */
  recordedPolicies: string[];
  candidatePolicy: string | null;
}

/** What a replay found, decision point by decision point; plain JSON, so a sandbox journal can keep it. */
export interface ReplaySummary {
  decisions: number;
  statuses: Record<DiffStatus, number>;
  changes: Record<ChangeKind, number>;
  byPoint: PointSummary[];
}

const zeroes = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

export function emptySummary(): ReplaySummary {
  return { decisions: 0, statuses: zeroes(DIFF_STATUSES), changes: zeroes(CHANGE_KINDS), byPoint: [] };
}

function pointOf(summary: ReplaySummary, decisionPoint: string): PointSummary {
  let point = summary.byPoint.find((p) => p.decisionPoint === decisionPoint);
  if (!point) {
    point = { decisionPoint, decisions: 0, statuses: zeroes(DIFF_STATUSES), changes: zeroes(CHANGE_KINDS), outcomes: { recorded: {}, candidate: {} }, transitions: {}, amounts: {}, recordedPolicies: [], candidatePolicy: null };
    summary.byPoint.push(point);
    summary.byPoint.sort((a, b) => a.decisionPoint.localeCompare(b.decisionPoint));
  }
  return point;
}

/** Integer parameters named `…Cents`: money, which is what a policy change is usually weighed by. */
function addAmounts(amounts: Record<string, AmountTotals>, action: Action | null | undefined, field: keyof AmountTotals): void {
  if (!action) return;
  for (const [param, value] of Object.entries(action.params)) {
    if (!param.endsWith('Cents') || typeof value !== 'number' || !Number.isSafeInteger(value)) continue;
    const key = `${action.type}/${param}`;
    (amounts[key] ??= { recorded: 0, candidate: 0, recordedPending: 0, candidatePending: 0 })[field] += value;
  }
}

const bump = <K extends string>(counts: Partial<Record<K, number>>, key: K) => (counts[key] = (counts[key] ?? 0) + 1);

/** Counts one decision's diff into the summary. */
export function addToSummary(summary: ReplaySummary, diff: DecisionDiff): void {
  const point = pointOf(summary, diff.decisionPoint);
  summary.decisions++;
  point.decisions++;
  summary.statuses[diff.status]++;
  point.statuses[diff.status]++;
  for (const change of diff.changes) {
    summary.changes[change]++;
    point.changes[change]++;
  }
  const recordedPolicy = `${diff.recorded.policy.id}@${diff.recorded.policy.version}`;
  if (!point.recordedPolicies.includes(recordedPolicy)) point.recordedPolicies.push(recordedPolicy);
  const { candidate, recorded } = diff;
  if (!candidate) return;
  point.candidatePolicy = `${candidate.policy.id}@${candidate.policy.version}`;
  bump(point.outcomes.recorded, recorded.outcome);
  bump(point.outcomes.candidate, candidate.outcome);
  bump(point.transitions, `${recorded.outcome}→${candidate.outcome}`);
  addAmounts(point.amounts, recorded.action, 'recorded');
  addAmounts(point.amounts, candidate.action, 'candidate');
  addAmounts(point.amounts, recorded.pending?.action, 'recordedPending');
  addAmounts(point.amounts, candidate.pending?.action, 'candidatePending');
}

function addCounts<K extends string>(into: Partial<Record<K, number>>, from: Partial<Record<K, number>>): void {
  for (const [k, v] of Object.entries(from) as [K, number][]) into[k] = (into[k] ?? 0) + v;
}

/** Adds a summary (a batch's, from another thread) into a running one. */
export function mergeSummary(into: ReplaySummary, from: ReplaySummary): void {
  into.decisions += from.decisions;
  addCounts(into.statuses, from.statuses);
  addCounts(into.changes, from.changes);
  for (const p of from.byPoint) {
    const point = pointOf(into, p.decisionPoint);
    point.decisions += p.decisions;
    addCounts(point.statuses, p.statuses);
    addCounts(point.changes, p.changes);
    addCounts(point.outcomes.recorded, p.outcomes.recorded);
    addCounts(point.outcomes.candidate, p.outcomes.candidate);
    addCounts(point.transitions, p.transitions);
    for (const [key, totals] of Object.entries(p.amounts)) {
      const t = (point.amounts[key] ??= { recorded: 0, candidate: 0, recordedPending: 0, candidatePending: 0 });
      t.recorded += totals.recorded;
      t.candidate += totals.candidate;
      t.recordedPending += totals.recordedPending;
      t.candidatePending += totals.candidatePending;
    }
    for (const policy of p.recordedPolicies) if (!point.recordedPolicies.includes(policy)) point.recordedPolicies.push(policy);
    point.candidatePolicy ??= p.candidatePolicy;
  }
}
