import type { Action, DecisionOutcome } from '@arbiter/contracts';
import { canonicalize } from '@arbiter/ledger';
import type { Check, Proposal } from '@arbiter/policy';
import type { CandidateReasoner } from '../candidate/candidate-reasoner';
import type { RecordedDecision, VerdictView } from '../recorded/recorded-decision';

/**
 * What a replay found for one recorded decision. `unchanged`/`changed` were replayed; the others
 * were not: the archived trigger is not the event the record's digest names, the trigger is
 * nowhere to be found, or the candidate policies do not govern the decision point.
 */
export const DIFF_STATUSES = ['unchanged', 'changed', 'trigger-mismatch', 'trigger-missing', 'no-candidate-policy'] as const;
export type DiffStatus = (typeof DIFF_STATUSES)[number];

/** How a changed decision changed; one decision may change in several ways. */
export const CHANGE_KINDS = [
  'outcome',
  'action-type',
  'action-params',
  'pending-action',
  'newly-escalated',
  'no-longer-escalated',
  'newly-clamped',
  'newly-fallback',
  'newly-approved',
  'newly-rejected',
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** A check that did not simply pass: failed, clamped, or an escalation rule that fired. */
export type FlaggedCheck = Pick<Check, 'check' | 'result' | 'detail'>;

/** One side of a diff: the policy, the reasoner, its proposal and the verdict. */
export interface DecisionSide {
  policy: { id: string; version: number; digest: string };
  reasoner: CandidateReasoner;
  proposal: Proposal | null;
  outcome: DecisionOutcome;
  action: Action | null;
  pending: VerdictView['pending'];
  escalatedBy: string[];
  flaggedChecks: FlaggedCheck[];
}

export interface DecisionDiff {
  decisionId: string;
  decisionPoint: string;
  customer: string;
  trigger: { eventId: string; type: string; time: string; source: 'archive' | 'record' | null; archivedDigest?: string; recordedDigest: string };
  ledger: { chain: string; seq: number; hash: string; time: string };
  status: DiffStatus;
  changes: ChangeKind[];
  recorded: DecisionSide;
  candidate: DecisionSide | null;
}

export function flaggedChecks(checks: Check[]): FlaggedCheck[] {
  return checks.filter((c) => c.result === 'fail' || c.result === 'clamped' || c.result === 'escalate').map(({ check, result, detail }) => ({ check, result, detail }));
}

const sameJson = (a: unknown, b: unknown) => a === b || (a != null && b != null && canonicalize(a as never) === canonicalize(b as never));

const NEWLY: Partial<Record<DecisionOutcome, ChangeKind>> = {
  escalated: 'newly-escalated',
  clamped: 'newly-clamped',
  fallback: 'newly-fallback',
  approved: 'newly-approved',
  rejected: 'newly-rejected',
};

/** The ways the candidate verdict differs from the recorded one: outcome, the action that would run, the action held for a human. */
export function changesBetween(recorded: VerdictView, candidate: VerdictView): ChangeKind[] {
  const changes: ChangeKind[] = [];
  if (recorded.outcome !== candidate.outcome) {
    changes.push('outcome', NEWLY[candidate.outcome]!);
    if (recorded.outcome === 'escalated') changes.push('no-longer-escalated');
  }
  if (!sameJson(recorded.action, candidate.action)) {
    changes.push(recorded.action?.type === candidate.action?.type ? 'action-params' : 'action-type');
  }
  if (recorded.outcome === 'escalated' && candidate.outcome === 'escalated' && !sameJson(recorded.pending?.action, candidate.pending?.action)) changes.push('pending-action');
  return changes;
}

export function recordedSide(decision: RecordedDecision): DecisionSide {
  return sideOf(decision.policy, { kind: decision.reasoner.kind, source: 'recorded' }, decision.proposal, decision.verdict);
}

export function sideOf(policy: DecisionSide['policy'], reasoner: CandidateReasoner, proposal: Proposal | null, verdict: VerdictView): DecisionSide {
  return {
    policy,
    reasoner,
    proposal,
    outcome: verdict.outcome,
    action: verdict.action,
    pending: verdict.pending,
    escalatedBy: verdict.escalatedBy,
    flaggedChecks: flaggedChecks(verdict.checks),
  };
}

/** The diff of a decision the replay could not judge again, and why. */
export function unreplayed(decision: RecordedDecision, status: Exclude<DiffStatus, 'unchanged' | 'changed'>, trigger: Partial<DecisionDiff['trigger']> = {}): DecisionDiff {
  return diffShell(decision, status, [], null, trigger);
}

export function replayed(decision: RecordedDecision, candidate: DecisionSide, source: 'archive' | 'record'): DecisionDiff {
  const changes = changesBetween(decision.verdict, { ...candidate, checks: [] });
  return diffShell(decision, changes.length ? 'changed' : 'unchanged', changes, candidate, { source });
}

function diffShell(decision: RecordedDecision, status: DiffStatus, changes: ChangeKind[], candidate: DecisionSide | null, trigger: Partial<DecisionDiff['trigger']>): DecisionDiff {
  return {
    decisionId: decision.decisionId,
    decisionPoint: decision.decisionPoint,
    customer: decision.customer,
    trigger: { eventId: decision.trigger.eventId, type: decision.trigger.type, time: decision.triggerTime, source: null, recordedDigest: decision.trigger.digest, ...trigger },
    ledger: { chain: decision.ledger.chain, seq: decision.ledger.seq, hash: decision.ledger.hash, time: decision.ledger.time },
    status,
    changes,
    recorded: recordedSide(decision),
    candidate,
  };
}
