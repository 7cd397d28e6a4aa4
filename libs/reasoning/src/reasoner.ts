import type { Json } from '@arbiter/ledger';
import type { ModelSettings, Proposal } from '@arbiter/policy';
import type { RenderedPrompt } from './model/prompt';

/** What a model-backed reasoner is asked: a rendered prompt, and the output schema built from what the policy allows. */
export interface ReasoningRequest {
  decisionPoint: string;
  /** Budgets are kept per policy. */
  policyId: string;
  model: ModelSettings;
  prompt: RenderedPrompt;
  /** JSON Schema of the answer: the allowed action types as an enum, each with its parameter bounds. */
  outputSchema: { [key: string]: Json };
}

/** A model's answer: the proposal (still to be judged) and what the ledger records about the call. */
export interface ReasonerAnswer {
  proposal: Proposal;
  record: { kind: string; [key: string]: Json };
}

/**
 * The reasoner port: something that proposes an action for a case. Adapters (an OpenAI-compatible
 * endpoint, others later) implement it; the offline heuristic of each decision point stands in
 * whenever none is configured or one fails.
 */
export interface Reasoner {
  readonly kind: string;
  propose(request: ReasoningRequest): Promise<ReasonerAnswer>;
}

export type ReasonerFailureCode =
  | 'over-budget'
  | 'timeout'
  | 'rate-limited'
  | 'unavailable'
  | 'truncated'
  | 'refused'
  | 'malformed'
  | 'request-refused';

/**
 * Why a reasoner gave no usable proposal. `record` carries what is known of the call (the raw
 * output, tokens, attempts) so the ledger shows exactly what the model said before it was set aside.
 */
export class ReasonerFailure extends Error {
  constructor(
    readonly code: ReasonerFailureCode,
    message: string,
    readonly record: { [key: string]: Json } = {},
  ) {
    super(message);
    this.name = 'ReasonerFailure';
  }
}
