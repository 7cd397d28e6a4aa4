import type { DomainEvent } from '@arbiter/contracts';
import { AllowedSet, LoadedPolicy, allowedActions, judge } from '@arbiter/policy';
import type { CelBindings } from '@arbiter/policy';
import { RecordedDecision, VerdictView, recordedVerdictOf } from '../recorded/recorded-decision';
import type { CandidateProposal } from './candidate-reasoner';
import { celCaseBindings } from './cel-case';

/** The recorded case (trigger, memory, facts) as the candidate policy sees it, and what it allows there. */
export interface CandidateCase {
  bindings: CelBindings;
  allowed: AllowedSet;
}

export function candidateCase(decision: RecordedDecision, event: DomainEvent, policy: LoadedPolicy): CandidateCase {
  const bindings = celCaseBindings(policy, { event, memory: decision.memory, facts: decision.facts });
  return { bindings, allowed: allowedActions(policy, bindings) };
}

/** The candidate policy's verdict on a proposal in the recorded case: the same judge the decision engine runs. */
export function rejudge(policy: LoadedPolicy, c: CandidateCase, proposed: CandidateProposal): VerdictView {
  const verdict = judge(policy, proposed.proposal, c.bindings, c.allowed);
  return recordedVerdictOf(verdict, verdict.action);
}
