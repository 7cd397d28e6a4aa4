import { DynamicModule, Module } from '@nestjs/common';
import { API_KEY, ApiKeyGuard } from './api-key.guard';
import { DecisionsController, HealthController, MetricsController } from './controllers';
import { DashboardController } from './dashboard/dashboard.controller';
import { DecideController } from './decide.controller';
import { LedgerController } from './ledger.controller';
import { ReviewsController } from './reviews.controller';
import { ShadowController } from './shadow.controller';

/** The HTTP API: health and the dashboard's page (open), metrics and /v1 (API key required). */
@Module({})
export class GatewayModule {
  static register(options: { apiKey: string }): DynamicModule {
    if (options.apiKey.length < 16) throw new Error('the gateway needs an API key of at least 16 characters');
    return {
      module: GatewayModule,
      controllers: [HealthController, DashboardController, MetricsController, DecisionsController, DecideController, ReviewsController, LedgerController, ShadowController],
      providers: [{ provide: API_KEY, useValue: options.apiKey }, ApiKeyGuard],
    };
  }
}
