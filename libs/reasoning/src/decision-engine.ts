import type { Clock } from '@arbiter/clock';
import { ContractViolation, DomainEvent, TriggerRef } from '@arbiter/contracts';
import { ChainWriter, Json, LedgerRecord, MalformedError, Signer, canonicalize, decisionsChain, sha256Hex, uuidV5 } from '@arbiter/ledger';
import type { MemoryReader } from '@arbiter/memory';
import { PolicyBook, judge } from '@arbiter/policy';
import { Logger, Metrics, silentLogger } from '@arbiter/telemetry';
import type { DecisionPoint } from './decision-point';

export interface DecisionEngineDeps {
  writer: ChainWriter;
  policies: PolicyBook;
  points: DecisionPoint[];
  memory: MemoryReader;
  signer: Signer;
  clock: Clock;
  logger?: Logger;
  metrics?: Metrics;
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

/**
 * Turns a domain event into decisions: for each decision point it triggers, gather context,
 * ask the reasoner, let the policy judge, then sign and append to the subject's chain.
 */
export class DecisionEngine {
  private readonly byTrigger = new Map<string, DecisionPoint[]>();
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
    for (const point of this.pointsFor(event.type)) decided.push(await this.decideAt(point, event, trigger));
    return decided;
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
    const memory = await this.deps.memory.customerMemory(subject);
    const facts = await point.gatherFacts(typed, this.deps.memory);
    const { proposal, reasoner } = point.heuristic({ event: typed, memory, facts, policy });
    const verdict = judge(policy.document, proposal);
    const body = {
      decisionId,
      decisionPoint: point.id,
      subject,
      subjectRef: point.subjectRefOf(typed),
      trigger: { eventId: event.id, type: event.type, source: event.source, digest: triggerDigest, ...trigger },
      policy: { id: policy.document.policyId, version: policy.document.version, digest: policy.digest },
      context: { memoryDigest: sha256Hex(canonicalize(memory)), memory: asJson(memory), facts },
      reasoner,
      proposal: asJson(proposal),
      verdict: { outcome: verdict.outcome, checks: asJson(verdict.checks) },
      action: asJson(verdict.action),
    };
    const appended = await this.deps.writer.append({ chain, type: 'decision', body, eventId: decisionId, signer: this.deps.signer });
    this.deps.metrics?.counter('arbiter_decisions_total', 'Decisions made').inc({ point: point.id, outcome: verdict.outcome });
    this.deps.metrics?.histogram('arbiter_decision_duration_ms', 'Time to decide, sign and append').observe(performance.now() - started, { point: point.id });
    return { decisionId, decisionPoint: point.id, record: appended.record, duplicate: appended.duplicate };
  }
}
