import type { PolicyBook } from '@arbiter/policy';
import type { DecisionPoint } from '@arbiter/reasoning';
import { CandidateProposal, ProposeInput, ReasonerMode, heuristicProposal, recordedProposal } from '../candidate/candidate-reasoner';
import { CandidateCase, candidateCase, rejudge } from '../candidate/rejudge';
import { DecisionDiff, replayed, sideOf, unreplayed } from '../diff/decision-diff';
import { ReplaySummary, addToSummary, emptySummary } from '../diff/summary';
import type { RecordedDecision } from '../recorded/recorded-decision';
import type { FoundTrigger } from '../recorded/trigger-archive';

/** What every case of a run is judged with: the candidate policies, where proposals come from, the decision points. */
export interface CasePlan {
  candidates: PolicyBook;
  reasoner: ReasonerMode;
  points: Map<string, DecisionPoint>;
}

/** A case ready for a proposal, or a diff already settled (not replayable). */
export type PreparedCase = { diff: DecisionDiff } | { input: ProposeInput; bindings: CandidateCase['bindings']; source: 'archive' | 'record' };

/** The candidate policy's case for a recorded decision, or why it cannot be judged again. */
export function prepareCase(plan: CasePlan, decision: RecordedDecision, found: FoundTrigger | null): PreparedCase {
  const policy = plan.candidates.forPoint(decision.decisionPoint);
  if (!policy) return { diff: unreplayed(decision, 'no-candidate-policy') };
  if (!found || found.status === 'missing') return { diff: unreplayed(decision, 'trigger-missing') };
  if (found.status === 'mismatch') return { diff: unreplayed(decision, 'trigger-mismatch', { source: 'archive', archivedDigest: found.archivedDigest }) };
  const c = candidateCase(decision, found.event, policy);
  return { input: { decision, event: found.event, point: plan.points.get(decision.decisionPoint), policy, allowed: c.allowed }, bindings: c.bindings, source: found.source };
}

/** The proposal, where it needs no model: the one recorded, or the heuristic's. */
export function offlineProposal(plan: CasePlan, prepared: Extract<PreparedCase, { input: unknown }>): CandidateProposal {
  return plan.reasoner === 'recorded' ? recordedProposal(prepared.input.decision) : heuristicProposal(prepared.input);
}

/** The candidate verdict on the proposal, set against the recorded one. */
export function judgeCase(prepared: PreparedCase, proposal: CandidateProposal | null): DecisionDiff {
  if ('diff' in prepared) return prepared.diff;
  const { input } = prepared;
  const verdict = rejudge(input.policy, { bindings: prepared.bindings, allowed: input.allowed }, proposal!);
  const policy = { id: input.policy.document.policyId, version: input.policy.document.version, digest: input.policy.digest };
  return replayed(input.decision, sideOf(policy, proposal!.reasoner, proposal!.proposal, verdict), prepared.source);
}

/**
 * What a batch of cases came to: its share of the summary, and the diffs of the decisions that did
 * not come out unchanged. Decisions no candidate policy governs are only counted: replaying one
 * policy file leaves every other decision point out, and listing those would bury the findings.
 */
export interface BatchOutcome {
  summary: ReplaySummary;
  diffs: DecisionDiff[];
}

export function outcomeOf(diffs: Iterable<DecisionDiff>): BatchOutcome {
  const outcome: BatchOutcome = { summary: emptySummary(), diffs: [] };
  for (const diff of diffs) {
    addToSummary(outcome.summary, diff);
    if (diff.status !== 'unchanged' && diff.status !== 'no-candidate-policy') outcome.diffs.push(diff);
  }
  return outcome;
}
