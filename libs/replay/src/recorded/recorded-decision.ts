import type { Action, DecisionOutcome } from '@arbiter/contracts';
import { DECISIONS_CHAIN_PREFIX, Json, LedgerRecord } from '@arbiter/ledger';
import type { CustomerMemory } from '@arbiter/memory';
import type { Check, PendingOutcome, Proposal } from '@arbiter/policy';

/** Where a trigger was read from (null when it came over HTTP) and the digest of its JCS form. */
export interface RecordedTrigger {
  eventId: string;
  type: string;
  source: string | null;
  digest: string;
  topic: string | null;
  partition: number | null;
  offset: string | null;
}

/** A verdict as the ledger keeps it, or as a replay works it out: the outcome, what may run, and every check. */
export interface VerdictView {
  outcome: DecisionOutcome;
  action: Action | null;
  checks: Check[];
  /** When escalated: what a reviewer's approval would run, and the outcome it would have had. */
  pending: { action: Action; outcome: PendingOutcome } | null;
  escalatedBy: string[];
}

/** A decision record, read as a replay needs it: the case it was decided on and what was decided. */
export interface RecordedDecision {
  decisionId: string;
  decisionPoint: string;
  customer: string;
  ledger: { chain: string; seq: number; hash: string; time: string; position: string };
  trigger: RecordedTrigger;
  /** When the trigger happened: the moment the recorded memory describes. */
  triggerTime: string;
  policy: { id: string; version: number; digest: string };
  /** The CloudEvent as the decision saw it, when the record carries it. */
  event: Json | null;
  memory: CustomerMemory;
  facts: { [key: string]: Json };
  reasoner: { kind: string; name: string | null; model: string | null; output: string | null; reason: string | null };
  proposal: Proposal | null;
  verdict: VerdictView;
}

interface RawBody {
  decisionId: string;
  decisionPoint: string;
  subject?: string;
  trigger: { eventId: string; type: string; source?: string; digest: string; topic?: string | null; partition?: number | null; offset?: string | null };
  policy: { id: string; version: number; digest: string };
  context?: { event?: Json; memory?: CustomerMemory; facts?: { [key: string]: Json } };
  reasoner?: { kind?: string; name?: string; model?: string; output?: string; reason?: string };
  proposal?: Proposal | null;
  verdict: { outcome: DecisionOutcome; checks?: Check[]; escalation?: { rules?: string[]; pendingAction: Action; pendingOutcome: PendingOutcome } };
  action?: Action | null;
}

/** The customer a decisions chain is about. */
export function customerOfChain(chain: string): string {
  return chain.startsWith(DECISIONS_CHAIN_PREFIX) ? chain.slice(DECISIONS_CHAIN_PREFIX.length) : chain;
}

/** When a decision's trigger happened (the moment its memory describes): decisions stand on the same time line as the events. */
export function triggerTimeOf(record: LedgerRecord): string {
  const context = record.body.context as { memory?: { asOf?: string | null } } | undefined;
  return context?.memory?.asOf ?? record.time;
}

export function recordedVerdictOf(verdict: RawBody['verdict'], action: Action | null): VerdictView {
  const escalation = verdict.escalation;
  return {
    outcome: verdict.outcome,
    action,
    checks: verdict.checks ?? [],
    pending: escalation ? { action: escalation.pendingAction, outcome: escalation.pendingOutcome } : null,
    escalatedBy: escalation?.rules ?? [],
  };
}

/** Reads a decision record's body; the record itself is taken as the store holds it (`arbiter audit verify` is what checks it). */
export function recordedDecisionOf(record: LedgerRecord, position: string): RecordedDecision {
  const body = record.body as unknown as RawBody;
  const t = body.trigger;
  const memory = (body.context?.memory ?? null) as CustomerMemory | null;
  const customer = body.subject ?? customerOfChain(record.chain);
  return {
    decisionId: body.decisionId,
    decisionPoint: body.decisionPoint,
    customer,
    ledger: { chain: record.chain, seq: record.seq, hash: record.hash, time: record.time, position },
    trigger: { eventId: t.eventId, type: t.type, source: t.source ?? null, digest: t.digest, topic: t.topic ?? null, partition: t.partition ?? null, offset: t.offset ?? null },
    triggerTime: triggerTimeOf(record),
    policy: body.policy,
    event: body.context?.event ?? null,
    // Records written before memory snapshots were kept give an empty memory: the replay says so in its report.
    memory: memory ?? ({ customerId: customer, known: false } as CustomerMemory),
    facts: body.context?.facts ?? {},
    reasoner: {
      kind: body.reasoner?.kind ?? 'unknown',
      name: body.reasoner?.name ?? null,
      model: body.reasoner?.model ?? null,
      output: typeof body.reasoner?.output === 'string' ? body.reasoner.output : null,
      reason: body.reasoner?.reason ?? null,
    },
    proposal: body.proposal ?? null,
    verdict: recordedVerdictOf(body.verdict, body.action ?? null),
  };
}
