import type { DomainEvent, DomainEventType } from '@arbiter/contracts';
import type { Json } from '@arbiter/ledger';
import type { CustomerMemory, MemoryReader, MemorySection } from '@arbiter/memory';
import type { AllowedSet, LoadedPolicy, Proposal } from '@arbiter/policy';
import type { PromptTemplate } from './model/prompt';

/** What a reasoner is given: the trigger, the customer's memory, facts the point gathered, the policy and what it allows here. */
export interface ReasoningInput<E extends DomainEvent = DomainEvent> {
  event: E;
  memory: CustomerMemory;
  facts: { [key: string]: Json };
  policy: LoadedPolicy;
  allowed: AllowedSet;
}

export interface ReasonerResult {
  proposal: Proposal | null;
  /** What the ledger records about the reasoner: kind, name, and for models the model and raw output. */
  reasoner: { kind: 'heuristic' | 'openai'; name: string; [key: string]: Json };
}

/** A place where a rule used to be: which events trigger it, whose it is, and what facts it needs. */
export interface DecisionPoint<T extends DomainEventType = DomainEventType> {
  id: string;
  triggers: readonly T[];
  /** The customer (or account) whose chain records the decision. */
  subjectOf(event: Extract<DomainEvent, { type: T }>): string;
  /** The business object the decision is about (order, payment, dispute), to join outcomes later. */
  subjectRefOf(event: Extract<DomainEvent, { type: T }>): string;
  /** The memory sections it decides on (besides profile and counters): each one read costs a query per decision. */
  memory: readonly MemorySection[];
  gatherFacts(event: Extract<DomainEvent, { type: T }>, reader: MemoryReader, memory: CustomerMemory): Promise<{ [key: string]: Json }>;
  /** The offline reasoner: deterministic, explainable, always available. */
  heuristic(input: ReasoningInput<Extract<DomainEvent, { type: T }>>): ReasonerResult;
  /** The versioned instructions a model gets for this point. */
  prompt: PromptTemplate;
  /** The case as the model sees it: plain data, free text wrapped with `untrusted()`. */
  promptData(input: ReasoningInput<Extract<DomainEvent, { type: T }>>): { [key: string]: Json };
}
