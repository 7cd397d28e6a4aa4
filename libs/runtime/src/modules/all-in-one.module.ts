import { DynamicModule, Module } from '@nestjs/common';
import type { ArbiterConfig } from '../config';
import { GatewayModule } from '../gateway/gateway.module';
import { CoreModule } from './core.module';
import { ProjectorModule } from './projector.module';
import { ReasonerModule } from './reasoner.module';
import { SimulatorModule } from './simulator.module';

/** Every module in one process: what `npm start` runs. */
@Module({})
export class AllInOneModule {
  static forRoot(config: ArbiterConfig & { apiKey: string }, options: { http?: boolean } = {}): DynamicModule {
    return {
      module: AllInOneModule,
      imports: [
        CoreModule.forRoot(config),
        ReasonerModule,
        ProjectorModule,
        ...(options.http === false ? [] : [GatewayModule.register({ apiKey: config.apiKey })]),
        ...(config.simulator === 'on' ? [SimulatorModule] : []),
      ],
    };
  }
}
