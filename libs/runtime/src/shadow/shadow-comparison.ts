import type { LedgerRecord } from '@arbiter/ledger';
import { ChangeKind, changesBetween, recordedVerdictOf } from '@arbiter/replay';
import type { Action, DecisionOutcome } from '@arbiter/contracts';

/** A shadow decision set against the live one for the same trigger and decision point. */
export interface ShadowComparison {
  decisionId: string;
  decisionPoint: string;
  customer: string;
  triggerEventId: string;
  agree: boolean;
  changes: ChangeKind[];
  live: { outcome: DecisionOutcome; action: Action | null; pendingAction: Action | null; policy: string; ledger: { chain: string; seq: number; hash: string } };
  shadow: { outcome: DecisionOutcome; action: Action | null; pendingAction: Action | null; policy: string; ledger: { chain: string; seq: number; hash: string } };
  comparedAt: string;
}

interface Body {
  decisionId: string;
  decisionPoint: string;
  subject?: string;
  trigger: { eventId: string };
  policy: { id: string; version: number };
  verdict: Parameters<typeof recordedVerdictOf>[0];
  action?: Action | null;
}

const sideOf = (record: LedgerRecord) => {
  const body = record.body as unknown as Body;
  const verdict = recordedVerdictOf(body.verdict, body.action ?? null);
  return { verdict, view: { outcome: verdict.outcome, action: verdict.action, pendingAction: verdict.pending?.action ?? null, policy: `${body.policy.id}@${body.policy.version}`, ledger: { chain: record.chain, seq: record.seq, hash: record.hash } } };
};

/** They agree when the outcome, the action that runs and the action held for a human are the same: what `arbiter replay` calls unchanged. */
export function compareDecisions(live: LedgerRecord, shadow: LedgerRecord, now: Date): ShadowComparison {
  const l = sideOf(live);
  const s = sideOf(shadow);
  const body = shadow.body as unknown as Body;
  const changes = changesBetween(l.verdict, s.verdict);
  return {
    decisionId: body.decisionId,
    decisionPoint: body.decisionPoint,
    customer: body.subject ?? shadow.chain.replace(/^decisions-/, ''),
    triggerEventId: body.trigger.eventId,
    agree: changes.length === 0,
    changes,
    live: l.view,
    shadow: s.view,
    comparedAt: now.toISOString(),
  };
}
