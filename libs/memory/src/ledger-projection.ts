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

/** Folds one ledger record into the audit views: chain heads, and the decision list with its result. */
export async function projectLedgerRecord(tx: SqlExecutor, record: LedgerRecord, recordText: string, position: bigint): Promise<void> {
  await tx.query(
    `INSERT INTO chain_heads (chain, seq, hash, entry_type, entries, updated_at) VALUES ($1, $2::bigint, $3, $4, $2::bigint + 1, $5::timestamptz)
     ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, entry_type = excluded.entry_type,
       entries = excluded.entries, updated_at = excluded.updated_at WHERE chain_heads.seq < excluded.seq`,
    [record.chain, record.seq, record.hash, record.type, record.time],
  );
  if (record.type !== 'decision' || !record.chain.startsWith(DECISIONS_CHAIN_PREFIX)) return;
  const body = record.body as unknown as DecisionBody;
  const customerId = record.chain.slice(DECISIONS_CHAIN_PREFIX.length);
  await tx.query(
    `INSERT INTO decisions (decision_id, customer_id, decision_point, outcome, action, subject_ref, trigger_event_id, trigger_type,
       policy_id, policy_version, reasoner_kind, chain, seq, hash, position, decided_at, result, record)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
       (SELECT CASE WHEN status LIKE 'delivered-%' THEN status END FROM customer_orders WHERE order_id = $6 AND $3 = 'order.fulfillment'), $17)
     ON CONFLICT (decision_id) DO NOTHING`,
    [
      body.decisionId, customerId, body.decisionPoint, body.verdict.outcome, JSON.stringify(body.action ?? null), body.subjectRef ?? null,
      body.trigger.eventId, body.trigger.type, body.policy?.id ?? null, body.policy?.version ?? null, body.reasoner?.kind ?? null,
      record.chain, record.seq, record.hash, position.toString(), record.time, recordText,
    ],
  );
}
