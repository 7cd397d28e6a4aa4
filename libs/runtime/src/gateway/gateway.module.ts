import { DynamicModule, Injectable, Module, OnModuleDestroy, OnModuleInit, Provider } from '@nestjs/common';
import type { LedgerRecord } from '@arbiter/ledger';
import { ArbiterCore } from '../arbiter-core';
import { API_KEY, ApiKeyGuard } from './api-key.guard';
import { DecisionsController, HealthController, MetricsController } from './controllers';
import { DashboardController } from './dashboard/dashboard.controller';
import { DecideController } from './decide.controller';
import { DecisionWatch } from './decision-watch';
import { LedgerController } from './ledger.controller';
import { ReviewsController } from './reviews.controller';
import { ShadowController } from './shadow.controller';

/** Follows the decisions other processes make while the gateway serves. */
@Injectable()
class DecisionWatchLifecycle implements OnModuleInit, OnModuleDestroy {
  constructor(private readonly watch: DecisionWatch) {}
  onModuleInit(): Promise<void> {
    return this.watch.start();
  }
  onModuleDestroy(): Promise<void> {
    return this.watch.stop();
  }
}

function decisionWatchOf(core: ArbiterCore): DecisionWatch {
  const fromAuditViews = async (id: string) => ((await core.audit.decision(id))?.record as LedgerRecord | undefined) ?? null;
  return new DecisionWatch(core.platform.store, core.platform.logger, fromAuditViews);
}

export interface GatewayOptions {
  apiKey: string;
  /**
   * `in-process` (all-in-one): POST /v1/decisions decides in this process, alongside the bus
   * consumer. `reasoners` (distributed): it publishes the event and waits for the decision the
   * reasoner group makes, so the model is asked once per decision.
   */
  decidedBy?: 'in-process' | 'reasoners';
}

/** The HTTP API: health and the dashboard's page (open), metrics and /v1 (API key required). */
@Module({})
export class GatewayModule {
  static register(options: GatewayOptions): DynamicModule {
    if (options.apiKey.length < 16) throw new Error('the gateway needs an API key of at least 16 characters');
    const watch: Provider[] = options.decidedBy === 'reasoners' ? [{ provide: DecisionWatch, useFactory: decisionWatchOf, inject: [ArbiterCore] }, DecisionWatchLifecycle] : [];
    return {
      module: GatewayModule,
      controllers: [HealthController, DashboardController, MetricsController, DecisionsController, DecideController, ReviewsController, LedgerController, ShadowController],
      providers: [{ provide: API_KEY, useValue: options.apiKey }, ApiKeyGuard, ...watch],
    };
  }
}
