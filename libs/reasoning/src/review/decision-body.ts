import type { Action } from '@arbiter/contracts';
import type { LedgerRecord } from '@arbiter/ledger';
import type { PendingOutcome } from '@arbiter/policy';

/** The members of a decision body the review path and the relay rely on. */
export interface DecisionBody {
  decisionId: string;
  decisionPoint: string;
  subject?: string;
  trigger: { eventId: string; type: string; source?: string; topic?: string | null; partition?: number | null; offset?: string | null };
  policy: { id: string; version: number; digest: string };
  context: { event?: unknown; memory?: unknown; facts?: unknown };
  proposal: unknown;
  verdict: {
    outcome: 'approved' | 'clamped' | 'fallback' | 'escalated' | 'rejected';
    escalation?: { rules: string[]; pendingAction: Action; pendingOutcome: PendingOutcome; dueAt: string };
  };
  action: Action | null;
}

export type ReviewVerdict = 'approve' | 'override' | 'reject';

/** The members of a `review` body (LEDGER-SPEC §4, and what the relay needs to publish the final decision). */
export interface ReviewBody {
  decision: { chain: string; seq: number; hash: string };
  reviewer: string;
  verdict: ReviewVerdict;
  action: Action | null;
  note: string;
  decisionId: string;
  decisionPoint: string;
  trigger: DecisionBody['trigger'];
  outcome: 'approved' | 'clamped' | 'fallback' | 'rejected';
  timedOut: boolean;
}

export const decisionBodyOf = (record: LedgerRecord) => record.body as unknown as DecisionBody;
export const reviewBodyOf = (record: LedgerRecord) => record.body as unknown as ReviewBody;
