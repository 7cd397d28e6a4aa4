import type { LedgerRecord } from '@arbiter/ledger';
import { ChangeKind, changesBetween, recordedDecisionOf } from '@arbiter/replay';
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

const sideOf = (record: LedgerRecord) => {
  const decision = recordedDecisionOf(record, '');
  const { verdict, policy } = decision;
  return { decision, view: { outcome: verdict.outcome, action: verdict.action, pendingAction: verdict.pending?.action ?? null, policy: `${policy.id}@${policy.version}`, ledger: { chain: record.chain, seq: record.seq, hash: record.hash } } };
};

/** They agree when the outcome, the action that runs and the action held for a human are the same: what `arbiter replay` calls unchanged. */
export function compareDecisions(live: LedgerRecord, shadow: LedgerRecord, now: Date): ShadowComparison {
  const l = sideOf(live);
  const s = sideOf(shadow);
  const changes = changesBetween(l.decision.verdict, s.decision.verdict);
  return {
    decisionId: s.decision.decisionId,
    decisionPoint: s.decision.decisionPoint,
    customer: s.decision.customer,
    triggerEventId: s.decision.trigger.eventId,
    agree: changes.length === 0,
    changes,
    live: l.view,
    shadow: s.view,
    comparedAt: now.toISOString(),
  };
}
