import type { Clock } from '@arbiter/clock';
import type { Action } from '@arbiter/contracts';
import { ChainWriter, Json, LedgerRecord, Signer, ledgerTime, uuidV5 } from '@arbiter/ledger';
import type { AuditReader, ReviewItem } from '@arbiter/memory';
import { Check, PolicyBook, caseBindings, checkOverride } from '@arbiter/policy';
import { Logger, Metrics, silentLogger } from '@arbiter/telemetry';
import { DecisionBody, ReviewBody, ReviewVerdict, decisionBodyOf, reviewBodyOf } from './decision-body';

export type ReviewErrorCode = 'review-not-found' | 'not-escalated' | 'already-reviewed' | 'invalid-override' | 'policy-missing';

/** Why a review was refused; `checks` lists what an invalid override failed. */
export class ReviewError extends Error {
  constructor(
    readonly code: ReviewErrorCode,
    message: string,
    readonly checks: Check[] = [],
    readonly existing: LedgerRecord | null = null,
  ) {
    super(message);
    this.name = 'ReviewError';
  }
}

export interface ReviewRequest {
  verdict: ReviewVerdict;
  /** Who decided: a person or team name, recorded in the signed entry. */
  reviewer: string;
  note: string;
  /** Required for an override: the action to execute instead. */
  action?: Action;
}

export interface Reviewed {
  decisionId: string;
  record: LedgerRecord;
  outcome: ReviewBody['outcome'];
  action: Action | null;
}

export interface ReviewDeskDeps {
  writer: ChainWriter;
  policies: PolicyBook;
  audit: AuditReader;
  /** The reviewer's registered key (role `review`): it signs every review, the timeouts' included. */
  signer: Signer;
  clock: Clock;
  logger?: Logger;
  metrics?: Metrics;
}

/** The store event id of a decision's review: one review per decision, whoever comes first. */
export function reviewEventId(decisionId: string): string {
  return uuidV5(`review\n${decisionId}`);
}

export const TIMEOUT_REVIEWER = 'policy-timeout';

/**
 * Where escalated decisions are settled. A review is a signed `review` entry in the decision's
 * own chain; the relay then publishes the decision as final. A review that does not come in time
 * takes the policy's default.
 */
export class ReviewDesk {
  private readonly logger: Logger;

  constructor(private readonly deps: ReviewDeskDeps) {
    this.logger = deps.logger ?? silentLogger;
  }

  list(filter: { status?: 'pending' | 'resolved'; decisionPoint?: string; customer?: string; limit: number }): Promise<ReviewItem[]> {
    return this.deps.audit.reviews(filter);
  }

  get(decisionId: string): Promise<ReviewItem | null> {
    return this.deps.audit.review(decisionId);
  }

  async resolve(decisionId: string, request: ReviewRequest): Promise<Reviewed> {
    const { record, body } = await this.escalatedDecision(decisionId);
    const escalation = body.verdict.escalation!;
    let action: Action | null;
    let outcome: ReviewBody['outcome'];
    let checks: Check[] = [];
    if (request.verdict === 'approve') {
      action = escalation.pendingAction;
      outcome = escalation.pendingOutcome;
    } else if (request.verdict === 'reject') {
      action = null;
      outcome = 'rejected';
    } else {
      if (!request.action) throw new ReviewError('invalid-override', 'an override needs the action to execute instead');
      checks = this.checkOverride(body, request.action);
      action = request.action;
      outcome = 'approved';
    }
    const reviewed = await this.append(record, body, { verdict: request.verdict, reviewer: request.reviewer, note: request.note, action, outcome, timedOut: false, checks });
    this.deps.metrics?.counter('arbiter_reviews_total', 'Reviews of escalated decisions').inc({ point: body.decisionPoint, verdict: request.verdict });
    return reviewed;
  }

  /** Settles every pending review whose time is up with the policy's default; returns how many it settled. */
  async expireOverdue(now: Date = this.deps.clock.now()): Promise<number> {
    let settled = 0;
    for (const item of await this.deps.audit.overdueReviews(ledgerTime(now))) {
      try {
        const { record, body } = await this.escalatedDecision(item.decisionId);
        const review = this.deps.policies.forPoint(body.decisionPoint)?.document.escalation?.review;
        const onTimeout = review?.onTimeout ?? 'fallback';
        const fallback = this.deps.policies.forPoint(body.decisionPoint)?.document.fallback ?? null;
        const escalation = body.verdict.escalation!;
        const settledAs =
          onTimeout === 'approve'
            ? { verdict: 'approve' as const, action: escalation.pendingAction, outcome: escalation.pendingOutcome }
            : onTimeout === 'reject' || !fallback
              ? { verdict: 'reject' as const, action: null, outcome: 'rejected' as const }
              : { verdict: 'override' as const, action: fallback, outcome: 'fallback' as const };
        const note = `no review by ${escalation.dueAt}; the policy's default (${onTimeout}) applies`;
        await this.append(record, body, { ...settledAs, reviewer: TIMEOUT_REVIEWER, note, timedOut: true, checks: [] });
        this.deps.metrics?.counter('arbiter_reviews_total', 'Reviews of escalated decisions').inc({ point: body.decisionPoint, verdict: 'timeout' });
        settled++;
      } catch (e) {
        // Someone reviewed it in the meantime: the queue has simply not caught up yet.
        if (e instanceof ReviewError && e.code === 'already-reviewed') continue;
        this.logger.error('an overdue review could not be settled', { decisionId: item.decisionId, error: (e as Error).message });
      }
    }
    return settled;
  }

  private async escalatedDecision(decisionId: string): Promise<{ record: LedgerRecord; body: DecisionBody }> {
    const item = await this.deps.audit.review(decisionId);
    if (!item) throw new ReviewError('review-not-found', `no escalated decision ${decisionId} in the review queue`);
    const record = await this.deps.writer.find(item.decision.chain, decisionId);
    if (!record) throw new ReviewError('review-not-found', `decision ${decisionId} is not in chain ${item.decision.chain}`);
    const body = decisionBodyOf(record);
    if (body.verdict.outcome !== 'escalated' || !body.verdict.escalation) throw new ReviewError('not-escalated', `decision ${decisionId} was not escalated`);
    const existing = await this.deps.writer.find(item.decision.chain, reviewEventId(decisionId));
    if (existing) throw new ReviewError('already-reviewed', `decision ${decisionId} was already reviewed (${reviewBodyOf(existing).verdict} by ${reviewBodyOf(existing).reviewer})`, [], existing);
    return { record, body };
  }

  private checkOverride(body: DecisionBody, action: Action): Check[] {
    const policy = this.deps.policies.forPoint(body.decisionPoint);
    if (!policy) throw new ReviewError('policy-missing', `no policy governs ${body.decisionPoint} any more`);
    const bindings = caseBindings(policy.document, { event: body.context.event, memory: body.context.memory, facts: body.context.facts });
    const { ok, checks } = checkOverride(policy, action, bindings);
    if (!ok) {
      const failed = checks.filter((c) => c.result === 'fail' || c.result === 'clamped').map((c) => `${c.check}: ${c.detail}`);
      throw new ReviewError('invalid-override', `the override is outside the policy: ${failed.join('; ')}`, checks);
    }
    return checks;
  }

  private async append(
    decision: LedgerRecord,
    body: DecisionBody,
    review: Pick<ReviewBody, 'verdict' | 'reviewer' | 'note' | 'action' | 'outcome' | 'timedOut'> & { checks: Check[] },
  ): Promise<Reviewed> {
    const policy = this.deps.policies.forPoint(body.decisionPoint);
    const entry = {
      decision: { chain: decision.chain, seq: decision.seq, hash: decision.hash },
      reviewer: review.reviewer,
      verdict: review.verdict,
      action: review.action as Json,
      note: review.note,
      decisionId: body.decisionId,
      decisionPoint: body.decisionPoint,
      trigger: body.trigger as Json,
      outcome: review.outcome,
      timedOut: review.timedOut,
      ...(policy ? { policy: { id: policy.document.policyId, version: policy.document.version, digest: policy.digest } } : {}),
      ...(review.checks.length ? { checks: review.checks as unknown as Json } : {}),
    };
    const appended = await this.deps.writer.append({ chain: decision.chain, type: 'review', body: entry, eventId: reviewEventId(body.decisionId), signer: this.deps.signer });
    if (appended.duplicate) throw new ReviewError('already-reviewed', `decision ${body.decisionId} was already reviewed`, [], appended.record);
    return { decisionId: body.decisionId, record: appended.record, outcome: review.outcome, action: review.action };
  }
}
