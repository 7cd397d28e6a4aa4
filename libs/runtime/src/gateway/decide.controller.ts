import {
  BadRequestException, Controller, HttpException, Logger, OnModuleDestroy, Optional, PayloadTooLargeException, Post, Query, Req, Res, ServiceUnavailableException, UnprocessableEntityException,
  UseGuards,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { ContractViolation, DomainEvent, MAX_EVENT_BYTES, parseDomainEvent, topicOf } from '@arbiter/contracts';
import type { LedgerRecord } from '@arbiter/ledger';
import { Decided, decisionBodyOf, decisionIdFor } from '@arbiter/reasoning';
import { ArbiterCore } from '../arbiter-core';
import { ApiKeyGuard } from './api-key.guard';
import { DecisionWatch } from './decision-watch';
import { ZodPipe } from './zod-query';

const decideQuery = z.object({ waitMs: z.coerce.number().int().min(0).max(60_000).default(10_000) });

/** Reads the request body when Express left it alone (`application/cloudevents+json`), within the event size limit. */
async function cloudEventOf(req: Request): Promise<unknown> {
  if (req.body !== undefined) return req.body;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_EVENT_BYTES) throw new PayloadTooLargeException(`the event is over ${MAX_EVENT_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) throw new BadRequestException('send the CloudEvent as the request body (JSON structured mode)');
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (e) {
    throw new BadRequestException(`not JSON: ${(e as Error).message}`);
  }
}

function view(record: LedgerRecord, review: { status: string } | null) {
  const body = decisionBodyOf(record);
  const raw = record.body as { reasoner?: { kind?: string; reason?: string }; verdict: { checks?: unknown } };
  return {
    decisionId: body.decisionId,
    decisionPoint: body.decisionPoint,
    outcome: body.verdict.outcome,
    action: body.action,
    checks: raw.verdict.checks ?? [],
    ...(body.verdict.escalation ? { escalation: { ...body.verdict.escalation, review: review?.status ?? 'pending' } } : {}),
    reasoner: { kind: raw.reasoner?.kind ?? null, ...(raw.reasoner?.reason ? { reason: raw.reasoner.reason } : {}) },
    policy: body.policy,
    ledger: { chain: record.chain, seq: record.seq, hash: record.hash },
  };
}

/**
 * The synchronous decision API: a service sends a CloudEvent and waits, up to `waitMs`, for the
 * decision. 200 with it when final; 202 with a Location when it waits for a human (the review)
 * or is still being made (the decision). The event also goes onto its domain topic, so memory
 * learns from it like from any other; a decision is still made exactly once. All-in-one, this
 * process decides (and its bus consumer waits for that); distributed, with a DecisionWatch, the
 * reasoner group decides and this gateway waits for the entry.
 *
 * On shutdown it takes no new decisions (503, Retry-After) and waits for those it is making, so
 * every decision it answered is relayed and inside the closing checkpoint: Nest closes the HTTP
 * server only after the relay and the notary have stopped.
 */
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class DecideController implements OnModuleDestroy {
  private readonly logger = new Logger('Decide');
  private draining = false;
  /** Requests past the drain check that may still append: a publish, or a decision made here. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly core: ArbiterCore,
    @Optional() private readonly watch?: DecisionWatch,
  ) {}

  async onModuleDestroy(): Promise<void> {
    this.draining = true;
    await Promise.allSettled([...this.inFlight]);
  }

  /** Runs `work` as part of a request the drain waits for. */
  private tracked<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(() => undefined, () => undefined);
    this.inFlight.add(settled);
    void settled.then(() => this.inFlight.delete(settled));
    return work;
  }

  @Post('decisions')
  async decide(@Req() req: Request, @Res({ passthrough: true }) res: Response, @Query(new ZodPipe(decideQuery)) query: z.infer<typeof decideQuery>) {
    if (this.draining) {
      res.setHeader('Retry-After', '1');
      throw new ServiceUnavailableException('shutting down: this instance takes no new decisions; send the event again (to another instance, or once it is back)');
    }
    let event: DomainEvent;
    try {
      event = parseDomainEvent(await cloudEventOf(req));
    } catch (e) {
      if (e instanceof ContractViolation) throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: e.reason, issues: e.issues });
      throw e;
    }
    const points = this.core.engine.pointsFor(event.type);
    if (points.length === 0) throw new UnprocessableEntityException(`no decision point takes ${event.type} events`);
    const expected = this.watch?.expect(points.map((p) => decisionIdFor(event.id, p.id)));
    try {
      await this.tracked(this.core.platform.bus.publish(topicOf(event.type), [{ key: event.subject, value: JSON.stringify(event), headers: { 'content-type': 'application/cloudevents+json', 'ce-type': event.type, 'ce-id': event.id } }]));
    } catch (e) {
      expected?.cancel();
      throw new HttpException(`the event could not be queued: ${(e as Error).message}`, 503);
    }
    const deciding = expected
      ? expected.records.then((records) => records.map((record, i): Decided => ({ decisionId: decisionIdFor(event.id, points[i].id), decisionPoint: points[i].id, record, duplicate: false })))
      : this.tracked(this.core.engine.decide(event, { topic: null, partition: null, offset: null }));
    let timer: NodeJS.Timeout | undefined;
    const decided = await Promise.race([deciding, new Promise<null>((r) => (timer = setTimeout(() => r(null), query.waitMs).unref()))]).finally(() => clearTimeout(timer)).catch((e: Error) => {
      if (e instanceof ContractViolation) throw new BadRequestException(e.reason);
      throw e instanceof HttpException ? e : new HttpException(`the decision could not be made now; the event is queued and will be decided: ${e.message}`, 503);
    });
    if (!decided) {
      expected?.cancel();
      deciding.catch((e: Error) => this.logger.warn({ message: 'a decision still being made failed; the queued event will be decided again', error: e.message }));
      const ids = points.map((p) => ({ decisionId: decisionIdFor(event.id, p.id), decisionPoint: p.id, status: 'deciding' }));
      res.status(202).setHeader('Location', `/v1/decisions/${ids[0].decisionId}`);
      return { decisions: ids };
    }
    const views = await Promise.all(decided.map((d: Decided) => this.viewOf(d)));
    const pending = views.find((v) => v.outcome === 'escalated' && v.escalation?.review === 'pending');
    if (pending) res.status(202).setHeader('Location', `/v1/reviews/${pending.decisionId}`);
    else res.status(200);
    return { decisions: views };
  }

  private async viewOf(d: Decided) {
    const escalated = decisionBodyOf(d.record).verdict.outcome === 'escalated';
    const review = escalated ? await this.core.reviews.get(d.decisionId) : null;
    return view(d.record, review);
  }
}
