import type { Clock } from '@arbiter/clock';
import { ContractViolation, DomainEvent, TriggerRef } from '@arbiter/contracts';
import { ChainWriter, Json, LedgerRecord, MalformedError, Signer, canonicalize, decisionsChain, ledgerTime, sha256Hex, uuidV5 } from '@arbiter/ledger';
import type { CustomerMemory, MemoryReader } from '@arbiter/memory';
import { PolicyBook, Verdict, allowedActions, caseBindings, judge } from '@arbiter/policy';
import { Logger, Metrics, silentLogger } from '@arbiter/telemetry';
import type { DecisionPoint, ReasonerResult, ReasoningInput } from './decision-point';
import { outputJsonSchema } from './model/model-output';
import { renderPrompt } from './model/prompt';
import { Reasoner, ReasonerFailure } from './reasoner';

export interface DecisionEngineDeps {
  writer: ChainWriter;
  policies: PolicyBook;
  points: DecisionPoint[];
  memory: MemoryReader;
  signer: Signer;
  clock: Clock;
  /** A model-backed reasoner; without one, every point's offline heuristic decides. */
  reasoner?: Reasoner;
  logger?: Logger;
  metrics?: Metrics;
  /**
   * The case to decide on, when it is already known: a shadow deciding on exactly the memory and
   * facts the live decision saw, so the two differ by policy alone. Null: gather them here.
   */
  caseOf?: (decisionId: string, decisionPoint: string) => Promise<RecordedCase | null>;
}

/** The memory and facts a decision was made on, as its ledger entry records them. */
export interface RecordedCase {
  memory: CustomerMemory;
  facts: { [key: string]: Json };
}

export interface Decided {
  decisionId: string;
  decisionPoint: string;
  record: LedgerRecord;
  /** True when this trigger had been decided before (a redelivery); nothing new was written. */
  duplicate: boolean;
}

/** Exactly one decision per (trigger event, decision point): its id is derived from both. */
export function decisionIdFor(eventId: string, decisionPoint: string): string {
  return uuidV5(`decision\n${eventId}\n${decisionPoint}`);
}

const asJson = (value: unknown) => value as Json;

/** Why the heuristic decided rather than a model: recorded in `reasoner.reason`. */
export type HeuristicReason = 'no-model-endpoint' | 'policy-names-no-model' | 'nothing-allowed' | 'model-failed';

/**
 * Turns a domain event into decisions: for each decision point it triggers, gather context,
 * compute what the policy allows, ask a reasoner, let the policy judge, then sign and append to
 * the subject's chain. The model proposes; only the verdict's action may be executed.
 */
export class DecisionEngine {
  private readonly byTrigger = new Map<string, DecisionPoint[]>();
  /** Decisions being made in this process, by decision id: a second request for one waits for it instead of asking the model again. */
  private readonly deciding = new Map<string, Promise<Decided>>();
  private readonly logger: Logger;

  constructor(private readonly deps: DecisionEngineDeps) {
    this.logger = deps.logger ?? silentLogger;
    for (const point of deps.points) {
      if (!deps.policies.forPoint(point.id)) {
        this.logger.warn(`no policy governs ${point.id}; it will not decide`);
        continue;
      }
      for (const type of point.triggers) this.byTrigger.set(type, [...(this.byTrigger.get(type) ?? []), point]);
    }
  }

  /** The decision points an event type triggers. */
  pointsFor(type: string): DecisionPoint[] {
    return this.byTrigger.get(type) ?? [];
  }

  async decide(event: DomainEvent, trigger: Omit<TriggerRef, 'eventId' | 'type'>): Promise<Decided[]> {
    const decided: Decided[] = [];
    for (const point of this.pointsFor(event.type)) decided.push(await this.decideOnce(point, event, trigger));
    return decided;
  }

  /**
   * The same trigger can reach the engine twice at once (a service's POST /v1/decisions and the
   * bus delivering the event it published): the second waits for the first and is told it is a
   * duplicate, so the model is asked once. Across processes the chain's exact revision still
   * makes the decision exactly once.
   */
  private decideOnce(point: DecisionPoint, event: DomainEvent, trigger: Omit<TriggerRef, 'eventId' | 'type'>): Promise<Decided> {
    const decisionId = decisionIdFor(event.id, point.id);
    const running = this.deciding.get(decisionId);
    if (running) return running.then((d) => ({ ...d, duplicate: true }));
    const deciding = this.decideAt(point, event, trigger).finally(() => this.deciding.delete(decisionId));
    this.deciding.set(decisionId, deciding);
    return deciding;
  }

  private async decideAt(point: DecisionPoint, event: DomainEvent, trigger: Omit<TriggerRef, 'eventId' | 'type'>): Promise<Decided> {
    const started = performance.now();
    const typed = event as never;
    const subject = point.subjectOf(typed);
    const chain = decisionsChain(subject);
    const decisionId = decisionIdFor(event.id, point.id);
    const earlier = await this.deps.writer.find(chain, decisionId);
    if (earlier) {
      this.deps.metrics?.counter('arbiter_decisions_duplicate_total', 'Redelivered triggers recognised as already decided').inc({ point: point.id });
      return { decisionId, decisionPoint: point.id, record: earlier, duplicate: true };
    }
    const policy = this.deps.policies.forPoint(point.id)!;
    let triggerDigest: string;
    try {
      triggerDigest = sha256Hex(canonicalize(event));
    } catch (e) {
      if (e instanceof MalformedError) throw new ContractViolation(`event is not I-JSON: ${e.message}`);
      throw e;
    }
    const given = await this.deps.caseOf?.(decisionId, point.id);
    // Memory as of the trigger, without it: the same case whether or not the projector has already seen the event.
    const memory = given?.memory ?? (await this.deps.memory.customerMemory(subject, { asOf: event.time ?? ledgerTime(this.deps.clock.now()), excludeEventId: event.id, sections: point.memory }));
    const facts = given?.facts ?? (await point.gatherFacts(typed, this.deps.memory, memory));
    const bindings = caseBindings(policy.document, { event, memory, facts });
    const allowed = allowedActions(policy, bindings);
    const input: ReasoningInput = { event, memory, facts, policy, allowed };
    const { proposal, reasoner } = await this.propose(point, input);
    const verdict = judge(policy, proposal, bindings, allowed);
    const body = {
      decisionId,
      decisionPoint: point.id,
      subject,
      subjectRef: point.subjectRefOf(typed),
      trigger: { eventId: event.id, type: event.type, source: event.source, digest: triggerDigest, ...trigger },
      policy: { id: policy.document.policyId, version: policy.document.version, digest: policy.digest },
      // The case in full (trigger, memory, facts), so a reviewer's override and a replay are judged on exactly what was seen.
      context: {
        event: asJson(event),
        memoryDigest: sha256Hex(canonicalize(memory)),
        memory: asJson(memory),
        facts,
        allowed: { actions: allowed.actions.map((a) => a.type), unavailable: allowed.unavailable },
      },
      reasoner,
      proposal: asJson(proposal),
      verdict: this.verdictBody(verdict, policy.document.escalation?.review.timeoutSeconds ?? 0),
      action: asJson(verdict.action),
    };
    const appended = await this.deps.writer.append({ chain, type: 'decision', body, eventId: decisionId, signer: this.deps.signer });
    this.deps.metrics?.counter('arbiter_decisions_total', 'Decisions made').inc({ point: point.id, outcome: verdict.outcome });
    this.deps.metrics?.histogram('arbiter_decision_duration_ms', 'Time to decide, sign and append').observe(performance.now() - started, { point: point.id });
    return { decisionId, decisionPoint: point.id, record: appended.record, duplicate: appended.duplicate };
  }

  private verdictBody(verdict: Verdict, reviewSeconds: number): { [key: string]: Json } {
    const body: { [key: string]: Json } = { outcome: verdict.outcome, checks: asJson(verdict.checks) };
    if (verdict.escalation) {
      const dueAt = ledgerTime(new Date(this.deps.clock.now().getTime() + reviewSeconds * 1000));
      body.escalation = { rules: verdict.escalation.rules, pendingAction: asJson(verdict.escalation.pendingAction), pendingOutcome: verdict.escalation.pendingOutcome, dueAt };
    }
    return body;
  }

  /** Asks the model when there is one and the policy names one; otherwise, or when it fails, the point's heuristic. */
  private async propose(point: DecisionPoint, input: ReasoningInput): Promise<ReasonerResult> {
    const model = input.policy.document.model;
    const reasoner = this.deps.reasoner;
    if (!reasoner) return this.heuristic(point, input, 'no-model-endpoint');
    if (!model) return this.heuristic(point, input, 'policy-names-no-model');
    if (input.allowed.actions.length === 0) return this.heuristic(point, input, 'nothing-allowed');
    const prompt = renderPrompt(point.prompt, point.promptData(input as never), input.allowed);
    try {
      const answer = await reasoner.propose({ decisionPoint: point.id, policyId: input.policy.document.policyId, model, prompt, outputSchema: outputJsonSchema(input.allowed) });
      this.deps.metrics?.counter('arbiter_model_calls_total', 'Model proposals by result').inc({ point: point.id, result: 'ok' });
      return { proposal: answer.proposal, reasoner: answer.record as ReasonerResult['reasoner'] };
    } catch (e) {
      // Nothing a model does may stop a decision: any failure hands the case to the heuristic, and the ledger says why.
      const failure = e instanceof ReasonerFailure ? { code: e.code, detail: e.message, ...e.record } : { code: 'unavailable', detail: (e as Error).message ?? String(e) };
      this.deps.metrics?.counter('arbiter_model_calls_total', 'Model proposals by result').inc({ point: point.id, result: String(failure.code) });
      this.logger.warn('model proposal failed; the heuristic decides', { point: point.id, code: failure.code, detail: failure.detail });
      return this.heuristic(point, input, 'model-failed', failure);
    }
  }

  private heuristic(point: DecisionPoint, input: ReasoningInput, reason: HeuristicReason, modelFailure?: { [key: string]: Json }): ReasonerResult {
    const result = point.heuristic(input as never);
    return { proposal: result.proposal, reasoner: { ...result.reasoner, reason, ...(modelFailure ? { modelFailure } : {}) } };
  }
}
