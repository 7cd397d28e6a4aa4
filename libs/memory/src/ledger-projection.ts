import { DECISIONS_CHAIN_PREFIX, LedgerRecord } from '@arbiter/ledger';
import type { SqlExecutor } from '@arbiter/read-models';

interface DecisionBody {
  decisionId: string;
  decisionPoint: string;
  subjectRef?: string;
  trigger: { eventId: string; type: string };
  policy?: { id: string; version: number };
  reasoner?: { kind: string };
  verdict: { outcome: string };
  action: unknown;
}

/** A ledger record as the store holds it: parsed, its exact text, and its global position. */
export interface PositionedRecord {
  record: LedgerRecord;
  text: string;
  position: bigint;
}

/**
 * Folds ledger records into the audit views, a batch at a time with set-based statements: each
 * chain's head, and the decision list with each fulfilment decision's result so far.
 */
export async function projectLedgerBatch(tx: SqlExecutor, batch: PositionedRecord[]): Promise<void> {
  const heads = new Map<string, LedgerRecord>();
  for (const { record } of batch) if ((heads.get(record.chain)?.seq ?? -1) < record.seq) heads.set(record.chain, record);
  if (heads.size) {
    await tx.query(
      `INSERT INTO chain_heads (chain, seq, hash, entry_type, entries, updated_at)
       SELECT chain, seq, hash, entry_type, seq + 1, updated_at
       FROM jsonb_to_recordset($1::jsonb) AS r(chain text, seq bigint, hash text, entry_type text, updated_at timestamptz)
       ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, entry_type = excluded.entry_type,
         entries = excluded.entries, updated_at = excluded.updated_at WHERE chain_heads.seq < excluded.seq`,
      [JSON.stringify([...heads.values()].map((r) => ({ chain: r.chain, seq: r.seq, hash: r.hash, entry_type: r.type, updated_at: r.time })))],
    );
  }
  const onDecisionChains = batch.filter(({ record }) => record.chain.startsWith(DECISIONS_CHAIN_PREFIX));
  const decisions = onDecisionChains.filter(({ record }) => record.type === 'decision').map(decisionRow);
  if (decisions.length) await insertDecisions(tx, decisions);
  const reviews = onDecisionChains.filter(({ record }) => record.type === 'review').map(({ record }) => reviewRow(record));
  // A review makes an escalated decision final: the views show what was finally decided.
  if (reviews.length) {
    await tx.query(
      `UPDATE decisions d SET outcome = r.outcome, action = r.action FROM jsonb_to_recordset($1::jsonb) AS r(decision_id text, outcome text, action jsonb)
       WHERE d.decision_id = r.decision_id`,
      [JSON.stringify(reviews)],
    );
  }
}

async function insertDecisions(tx: SqlExecutor, decisions: ReturnType<typeof decisionRow>[]): Promise<void> {
  await tx.query(
    `INSERT INTO decisions (decision_id, customer_id, decision_point, outcome, action, subject_ref, trigger_event_id, trigger_type,
       policy_id, policy_version, reasoner_kind, chain, seq, hash, position, decided_at, result, record)
     SELECT r.decision_id, r.customer_id, r.decision_point, r.outcome, r.action, r.subject_ref, r.trigger_event_id, r.trigger_type,
       r.policy_id, r.policy_version, r.reasoner_kind, r.chain, r.seq, r.hash, r.position, r.decided_at,
       CASE WHEN r.decision_point = 'order.fulfillment' AND o.status LIKE 'delivered-%' THEN o.status END, r.record
     FROM jsonb_to_recordset($1::jsonb) AS r(decision_id text, customer_id text, decision_point text, outcome text, action jsonb, subject_ref text,
       trigger_event_id text, trigger_type text, policy_id text, policy_version int, reasoner_kind text, chain text, seq bigint, hash text,
       position bigint, decided_at timestamptz, record text)
     LEFT JOIN customer_orders o ON o.order_id = r.subject_ref
     ON CONFLICT (decision_id) DO NOTHING`,
    [JSON.stringify(decisions)],
  );
}

/** What a review settles (LEDGER-SPEC §4 review, with the final outcome Arbiter records in it). */
function reviewRow(record: LedgerRecord) {
  const body = record.body as { decisionId?: string; outcome?: string; action?: unknown };
  return { decision_id: body.decisionId, outcome: body.outcome, action: body.action ?? null };
}

function decisionRow({ record, text, position }: PositionedRecord) {
  const body = record.body as unknown as DecisionBody;
  return {
    decision_id: body.decisionId, customer_id: record.chain.slice(DECISIONS_CHAIN_PREFIX.length), decision_point: body.decisionPoint,
    outcome: body.verdict.outcome, action: body.action ?? null, subject_ref: body.subjectRef ?? null, trigger_event_id: body.trigger.eventId,
    trigger_type: body.trigger.type, policy_id: body.policy?.id ?? null, policy_version: body.policy?.version ?? null, reasoner_kind: body.reasoner?.kind ?? null,
    chain: record.chain, seq: record.seq, hash: record.hash, position: position.toString(), decided_at: record.time, record: text,
  };
}
