import { Controller, Get, Optional, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { ShadowService } from '../shadow/shadow.module';
import { ApiKeyGuard } from './api-key.guard';
import { ZodPipe } from './zod-query';

const shadowQuery = z.object({ recent: z.coerce.number().int().min(0).max(50).default(20) });

/** Shadow mode: how often the candidate policies disagree with the live ones, per decision point, and the latest disagreements. */
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class ShadowController {
  constructor(@Optional() private readonly shadow?: ShadowService) {}

  @Get('shadow')
  status(@Query(new ZodPipe(shadowQuery)) query: z.infer<typeof shadowQuery>) {
    return this.shadow?.status(query.recent) ?? { enabled: false, reason: 'shadow mode runs in the reasoner process; this gateway has none' };
  }
}
