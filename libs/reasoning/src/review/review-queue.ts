import type { LedgerRecord } from '@arbiter/ledger';
import { DECISIONS_CHAIN_PREFIX } from '@arbiter/ledger';
import type { SqlExecutor } from '@arbiter/read-models';
import { decisionBodyOf, reviewBodyOf } from './decision-body';

/**
 * Folds ledger records into the review queue: an escalated decision enters it as pending; its
 * review (a human's, or the timeout's) resolves it. Records arrive in the store's global order,
 * so a decision is always there before its review.
 */
export async function projectReviewQueue(tx: SqlExecutor, record: LedgerRecord): Promise<void> {
  if (record.type === 'decision') {
    const body = decisionBodyOf(record);
    const escalation = body.verdict.escalation;
    if (body.verdict.outcome !== 'escalated' || !escalation) return;
    await tx.query(
      `INSERT INTO review_queue (decision_id, customer_id, decision_point, chain, seq, hash, policy_id, policy_version, policy_digest,
         trigger_event_id, trigger_type, rules, proposal, pending_action, pending_outcome, escalated_at, due_at, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 'pending')
       ON CONFLICT (decision_id) DO NOTHING`,
      [
        body.decisionId, record.chain.slice(DECISIONS_CHAIN_PREFIX.length), body.decisionPoint, record.chain, record.seq, record.hash,
        body.policy.id, body.policy.version, body.policy.digest, body.trigger.eventId, body.trigger.type, JSON.stringify(escalation.rules),
        JSON.stringify(body.proposal ?? null), JSON.stringify(escalation.pendingAction), escalation.pendingOutcome, record.time, escalation.dueAt,
      ],
    );
    return;
  }
  if (record.type !== 'review') return;
  const review = reviewBodyOf(record);
  await tx.query(
    `UPDATE review_queue SET status = 'resolved', verdict = $2, reviewer = $3, note = $4, final_action = $5, final_outcome = $6, timed_out = $7,
       review_seq = $8, review_hash = $9, reviewed_at = $10
     WHERE decision_id = $1`,
    [review.decisionId, review.verdict, review.reviewer, review.note, JSON.stringify(review.action), review.outcome, review.timedOut, record.seq, record.hash, record.time],
  );
}
