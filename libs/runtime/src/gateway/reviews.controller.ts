import { BadRequestException, ConflictException, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, UnprocessableEntityException, UseGuards, Body } from '@nestjs/common';
import { z } from 'zod';
import { ReviewError } from '@arbiter/reasoning';
import { ArbiterCore } from '../arbiter-core';
import { ApiKeyGuard } from './api-key.guard';
import { ZodPipe } from './zod-query';

const reviewsQuery = z.object({
  status: z.enum(['pending', 'resolved']).default('pending'),
  decisionPoint: z.string().min(1).max(128).optional(),
  customer: z.string().min(1).max(128).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
const decisionId = z.uuid();
const reviewer = z.string().trim().min(1, 'reviewer is required: who decides').max(128);
const note = z.string().max(2000).default('');
const paramValue = z.union([z.number().int().refine(Number.isSafeInteger, 'a safe integer'), z.string().max(4000), z.boolean()]);

/** A reviewer's verdict: approve the pending action, override it with another in-policy action, or reject it. */
export const reviewRequest = z.discriminatedUnion('verdict', [
  z.object({ verdict: z.literal('approve'), reviewer, note }).strict(),
  z.object({ verdict: z.literal('override'), reviewer, note, action: z.object({ type: z.string().min(1).max(200), params: z.record(z.string().max(100), paramValue) }).strict() }).strict(),
  z.object({ verdict: z.literal('reject'), reviewer, note }).strict(),
]);

const STATUS_FOR: Record<ReviewError['code'], (message: string, extra: object) => Error> = {
  'review-not-found': (m) => new NotFoundException(m),
  'not-escalated': (m) => new ConflictException(m),
  'already-reviewed': (m, extra) => new ConflictException({ statusCode: 409, error: 'Conflict', message: m, ...extra }),
  'invalid-override': (m, extra) => new UnprocessableEntityException({ statusCode: 422, error: 'Unprocessable Entity', message: m, ...extra }),
  'policy-missing': (m) => new ConflictException(m),
};

/** The review queue: escalated decisions waiting for a human, and the verdicts that settle them. */
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class ReviewsController {
  constructor(private readonly core: ArbiterCore) {}

  @Get('reviews')
  async list(@Query(new ZodPipe(reviewsQuery)) query: z.infer<typeof reviewsQuery>) {
    return { reviews: await this.core.reviews.list(query) };
  }

  @Get('reviews/:id')
  async get(@Param('id', new ZodPipe(decisionId)) id: string) {
    const item = await this.core.reviews.get(id);
    if (!item) throw new NotFoundException(`no escalated decision ${id} in the review queue`);
    return item;
  }

  @Post('reviews/:id')
  @HttpCode(200)
  async resolve(@Param('id', new ZodPipe(decisionId)) id: string, @Body() body: unknown) {
    if (body === undefined || body === null || typeof body !== 'object') throw new BadRequestException('send a JSON body: {"verdict": "approve" | "override" | "reject", "reviewer": "...", "note": "...", "action"?: {...}}');
    const request = new ZodPipe(reviewRequest).transform(body);
    try {
      const reviewed = await this.core.reviews.resolve(id, request);
      return {
        decisionId: reviewed.decisionId,
        verdict: request.verdict,
        reviewer: request.reviewer,
        outcome: reviewed.outcome,
        action: reviewed.action,
        ledger: { chain: reviewed.record.chain, seq: reviewed.record.seq, hash: reviewed.record.hash },
      };
    } catch (e) {
      if (!(e instanceof ReviewError)) throw e;
      const extra = {
        ...(e.checks.length ? { checks: e.checks } : {}),
        ...(e.existing ? { review: { chain: e.existing.chain, seq: e.existing.seq, hash: e.existing.hash } } : {}),
      };
      throw STATUS_FOR[e.code](e.message, extra);
    }
  }
}
