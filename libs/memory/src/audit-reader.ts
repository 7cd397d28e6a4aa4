import type { SqlExecutor } from '@arbiter/read-models';

export interface DecisionView {
  decisionId: string;
  customerId: string;
  decisionPoint: string;
  outcome: string;
  action: unknown;
  result: string | null;
  trigger: { eventId: string; type: string };
  policy: { id: string | null; version: number | null };
  reasoner: string | null;
  ledger: { chain: string; seq: number; hash: string };
  decidedAt: string;
}

export interface DecisionDetail extends DecisionView {
  /** The signed ledger record, exactly as stored. */
  record: unknown;
  /** For an escalated decision: its place in the review queue and, once reviewed, the review. */
  review?: ReviewItem | null;
}

/** An escalated decision in the review queue, and once resolved, what the reviewer (or the timeout) said. */
export interface ReviewItem {
  decisionId: string;
  customerId: string;
  decisionPoint: string;
  status: 'pending' | 'resolved';
  decision: { chain: string; seq: number; hash: string };
  policy: { id: string; version: number; digest: string };
  trigger: { eventId: string; type: string };
  /** The escalation rules (or escalating guards) that fired. */
  rules: string[];
  proposal: unknown;
  /** What an approval executes, and the outcome it then has. */
  pendingAction: { type: string; params: Record<string, unknown> };
  pendingOutcome: string;
  escalatedAt: string;
  dueAt: string;
  review: {
    verdict: string;
    reviewer: string;
    note: string;
    action: unknown;
    outcome: string;
    timedOut: boolean;
    ledger: { chain: string; seq: number; hash: string };
    reviewedAt: string;
  } | null;
}

const isoOf = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v));

function toReview(r: Record<string, unknown>): ReviewItem {
  return {
    decisionId: String(r.decision_id),
    customerId: String(r.customer_id),
    decisionPoint: String(r.decision_point),
    status: r.status === 'pending' ? 'pending' : 'resolved',
    decision: { chain: String(r.chain), seq: Number(r.seq), hash: String(r.hash) },
    policy: { id: String(r.policy_id), version: Number(r.policy_version), digest: String(r.policy_digest) },
    trigger: { eventId: String(r.trigger_event_id), type: String(r.trigger_type) },
    rules: r.rules as string[],
    proposal: r.proposal ?? null,
    pendingAction: r.pending_action as ReviewItem['pendingAction'],
    pendingOutcome: String(r.pending_outcome),
    escalatedAt: isoOf(r.escalated_at),
    dueAt: isoOf(r.due_at),
    review:
      r.status === 'pending'
        ? null
        : {
            verdict: String(r.verdict),
            reviewer: String(r.reviewer),
            note: String(r.note ?? ''),
            action: r.final_action ?? null,
            outcome: String(r.final_outcome),
            timedOut: r.timed_out === true,
            ledger: { chain: String(r.chain), seq: Number(r.review_seq), hash: String(r.review_hash) },
            reviewedAt: isoOf(r.reviewed_at),
          },
  };
}

function toView(r: Record<string, unknown>): DecisionView {
  return {
    decisionId: String(r.decision_id),
    customerId: String(r.customer_id),
    decisionPoint: String(r.decision_point),
    outcome: String(r.outcome),
    action: r.action,
    result: (r.result as string | null) ?? null,
    trigger: { eventId: String(r.trigger_event_id), type: String(r.trigger_type) },
    policy: { id: (r.policy_id as string | null) ?? null, version: r.policy_version == null ? null : Number(r.policy_version) },
    reasoner: (r.reasoner_kind as string | null) ?? null,
    ledger: { chain: String(r.chain), seq: Number(r.seq), hash: String(r.hash) },
    decidedAt: (r.decided_at as Date).toISOString(),
  };
}

const VIEW_COLUMNS = `decision_id, customer_id, decision_point, outcome, action, result, trigger_event_id, trigger_type,
  policy_id, policy_version, reasoner_kind, chain, seq, hash, decided_at`;

/** The audit views: decisions by customer, point and outcome, and the head of every chain. */
export class AuditReader {
  constructor(private readonly db: SqlExecutor) {}

  async decisions(filter: { customer?: string; decisionPoint?: string; limit: number }): Promise<DecisionView[]> {
    const rows = await this.db.query(
      `SELECT ${VIEW_COLUMNS} FROM decisions
       WHERE ($1::text IS NULL OR customer_id = $1) AND ($2::text IS NULL OR decision_point = $2)
       ORDER BY position DESC LIMIT $3`,
      [filter.customer ?? null, filter.decisionPoint ?? null, filter.limit],
    );
    return rows.map(toView);
  }

  async decision(decisionId: string): Promise<DecisionDetail | null> {
    const [row] = await this.db.query(`SELECT ${VIEW_COLUMNS}, record FROM decisions WHERE decision_id = $1`, [decisionId]);
    if (!row) return null;
    const detail: DecisionDetail = { ...toView(row), record: JSON.parse(String(row.record)) };
    if (detail.outcome === 'escalated') detail.review = await this.review(decisionId);
    return detail;
  }

  /** The review queue, oldest first: pending escalations by default. */
  async reviews(filter: { status?: 'pending' | 'resolved'; decisionPoint?: string; customer?: string; limit: number }): Promise<ReviewItem[]> {
    const rows = await this.db.query(
      `SELECT * FROM review_queue
       WHERE ($1::text IS NULL OR (CASE WHEN status = 'pending' THEN 'pending' ELSE 'resolved' END) = $1)
         AND ($2::text IS NULL OR decision_point = $2) AND ($3::text IS NULL OR customer_id = $3)
       ORDER BY escalated_at, decision_id LIMIT $4`,
      [filter.status ?? null, filter.decisionPoint ?? null, filter.customer ?? null, filter.limit],
    );
    return rows.map(toReview);
  }

  async review(decisionId: string): Promise<ReviewItem | null> {
    const [row] = await this.db.query('SELECT * FROM review_queue WHERE decision_id = $1', [decisionId]);
    return row ? toReview(row) : null;
  }

  /** Pending reviews whose time is up at `now`: the policy's default applies to them. */
  async overdueReviews(now: string, limit = 100): Promise<ReviewItem[]> {
    const rows = await this.db.query(`SELECT * FROM review_queue WHERE status = 'pending' AND due_at <= $1::timestamptz ORDER BY due_at, decision_id LIMIT $2`, [now, limit]);
    return rows.map(toReview);
  }

  async outcomes(): Promise<{ decisionPoint: string; outcome: string; count: number }[]> {
    const rows = await this.db.query<{ decision_point: string; outcome: string; count: number }>(
      'SELECT decision_point, outcome, COUNT(*)::bigint AS count FROM decisions GROUP BY decision_point, outcome ORDER BY decision_point, outcome',
    );
    return rows.map((r) => ({ decisionPoint: r.decision_point, outcome: r.outcome, count: Number(r.count) }));
  }

  async chainHeads(limit = 100): Promise<{ chain: string; seq: number; hash: string; entries: number }[]> {
    const rows = await this.db.query('SELECT chain, seq, hash, entries FROM chain_heads ORDER BY updated_at DESC, chain LIMIT $1', [limit]);
    return rows.map((r) => ({ chain: String(r.chain), seq: Number(r.seq), hash: String(r.hash), entries: Number(r.entries) }));
  }

  async totals(): Promise<{ decisions: number; chains: number; customers: number }> {
    const [row] = await this.db.query(
      'SELECT (SELECT COUNT(*) FROM decisions)::bigint AS decisions, (SELECT COUNT(*) FROM chain_heads)::bigint AS chains, (SELECT COUNT(*) FROM customers)::bigint AS customers',
    );
    return { decisions: Number(row.decisions), chains: Number(row.chains), customers: Number(row.customers) };
  }
}
