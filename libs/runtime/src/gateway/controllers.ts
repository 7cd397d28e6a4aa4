import { Controller, Get, Header, NotFoundException, Param, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { ArbiterCore } from '../arbiter-core';
import { ApiKeyGuard } from './api-key.guard';
import { ZodPipe } from './zod-query';

const decisionsQuery = z.object({
  customer: z.string().min(1).max(128).optional(),
  decisionPoint: z.string().min(1).max(128).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
const decisionId = z.uuid();
const customerId = z.string().min(1).max(128);

@Controller()
export class HealthController {
  private readonly started = Date.now();
  constructor(private readonly core: ArbiterCore) {}

  /** Open: load balancers and orchestrators call it without a key. */
  @Get('health')
  async health() {
    const head = await this.core.platform.store.headPosition();
    await this.core.platform.readModels.query('SELECT 1');
    return {
      status: 'ok',
      ledger: this.core.platform.config.ledgerId,
      uptimeSeconds: Math.round((Date.now() - this.started) / 1000),
      storePosition: head ? head.commit.toString() : '0',
      adapters: this.core.platform.adapters,
    };
  }
}

@Controller()
@UseGuards(ApiKeyGuard)
export class MetricsController {
  constructor(private readonly core: ArbiterCore) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  metrics(): string {
    return this.core.platform.metrics.render();
  }
}

@Controller('v1')
@UseGuards(ApiKeyGuard)
export class DecisionsController {
  constructor(private readonly core: ArbiterCore) {}

  @Get('decisions')
  async list(@Query(new ZodPipe(decisionsQuery)) query: z.infer<typeof decisionsQuery>) {
    return { decisions: await this.core.audit.decisions(query) };
  }

  @Get('decisions/:id')
  async get(@Param('id', new ZodPipe(decisionId)) id: string) {
    const decision = await this.core.audit.decision(id);
    if (!decision) throw new NotFoundException(`no decision ${id}`);
    return decision;
  }

  @Get('customers/:id/memory')
  async memory(@Param('id', new ZodPipe(customerId)) id: string) {
    const memory = await this.core.memory.customerMemory(id);
    if (!memory.known) throw new NotFoundException(`no customer ${id}`);
    return memory;
  }

  @Get('audit/summary')
  async summary() {
    return { ...(await this.core.audit.totals()), outcomes: await this.core.audit.outcomes(), recentChains: await this.core.audit.chainHeads(20) };
  }
}
