import type { DomainEvent } from '@arbiter/contracts';
import type { Json } from '@arbiter/ledger';
import type { AllowedSet, LoadedPolicy, Proposal } from '@arbiter/policy';
import { DecisionPoint, MalformedOutputError, Reasoner, ReasonerFailure, ReasoningInput, outputJsonSchema, proposalFromModelOutput, renderPrompt } from '@arbiter/reasoning';
import type { RecordedDecision } from '../recorded/recorded-decision';

/**
 * Where a replay's proposals come from. `recorded`: what the ledger kept (the model's raw output,
 * parsed again, or the heuristic's proposal), so only the policy is judged again and no model is
 * called. `heuristic`: the offline heuristics, afresh. `openai`: the configured model endpoint.
 */
export const REASONER_MODES = ['recorded', 'heuristic', 'openai'] as const;
export type ReasonerMode = (typeof REASONER_MODES)[number];

/** Which reasoner proposed on the candidate side, and why when it was not the one asked for. */
export interface CandidateReasoner {
  kind: string;
  source: 'recorded' | 'heuristic' | 'model';
  note?: string;
}

export interface CandidateProposal {
  proposal: Proposal | null;
  reasoner: CandidateReasoner;
}

export interface ProposeInput {
  decision: RecordedDecision;
  event: DomainEvent;
  point: DecisionPoint | undefined;
  policy: LoadedPolicy;
  allowed: AllowedSet;
}

/** The proposal the ledger recorded: the raw model output parsed again where there is one, else the proposal as kept. */
export function recordedProposal(decision: RecordedDecision): CandidateProposal {
  const { reasoner } = decision;
  if (reasoner.output !== null && reasoner.kind !== 'heuristic') {
    try {
      return { proposal: proposalFromModelOutput(reasoner.output), reasoner: { kind: reasoner.kind, source: 'recorded' } };
    } catch (e) {
      if (!(e instanceof MalformedOutputError)) throw e;
      return { proposal: decision.proposal, reasoner: { kind: reasoner.kind, source: 'recorded', note: `the recorded output no longer parses (${e.message}); the recorded proposal is used` } };
    }
  }
  return { proposal: decision.proposal, reasoner: { kind: reasoner.kind, source: 'recorded' } };
}

function reasoningInput(input: ProposeInput): ReasoningInput {
  return { event: input.event, memory: input.decision.memory, facts: input.decision.facts, policy: input.policy, allowed: input.allowed };
}

export function heuristicProposal(input: ProposeInput, note?: string): CandidateProposal {
  if (!input.point) return { proposal: null, reasoner: { kind: 'none', source: 'heuristic', note: `no decision point ${input.decision.decisionPoint} is known here` } };
  const result = input.point.heuristic(reasoningInput(input) as never);
  return { proposal: result.proposal, reasoner: { kind: 'heuristic', source: 'heuristic', ...(note ? { note } : {}) } };
}

/** As the decision engine asks a model: only where the policy names one and something is allowed; any failure hands the case to the heuristic. */
export async function modelProposal(reasoner: Reasoner, input: ProposeInput): Promise<CandidateProposal> {
  const model = input.policy.document.model;
  if (!input.point) return heuristicProposal(input);
  if (!model) return heuristicProposal(input, 'the candidate policy names no model');
  if (input.allowed.actions.length === 0) return heuristicProposal(input, 'nothing is allowed');
  const prompt = renderPrompt(input.point.prompt, input.point.promptData(reasoningInput(input) as never) as { [key: string]: Json }, input.allowed);
  try {
    const answer = await reasoner.propose({ decisionPoint: input.point.id, policyId: input.policy.document.policyId, model, prompt, outputSchema: outputJsonSchema(input.allowed) });
    return { proposal: answer.proposal, reasoner: { kind: reasoner.kind, source: 'model' } };
  } catch (e) {
    const code = e instanceof ReasonerFailure ? e.code : 'unavailable';
    return heuristicProposal(input, `the model failed (${code}): ${(e as Error).message}`);
  }
}
