import { DynamicModule, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ArbiterCore } from '../arbiter-core';
import type { ArbiterConfig } from '../config';
import { libraryLogger } from '../nest-logger';

export const ARBITER_CONFIG = Symbol('ARBITER_CONFIG');

@Injectable()
class CoreLifecycle implements OnApplicationShutdown {
  constructor(private readonly core: ArbiterCore) {}
  /** Runs after every service's beforeApplicationShutdown, so adapters close last. */
  async onApplicationShutdown(): Promise<void> {
    await this.core.close();
  }
}

/** Opens the adapters, keys and policies once per process and shares them with the other modules. */
@Module({})
export class CoreModule {
  static forRoot(config: ArbiterConfig): DynamicModule {
    return {
      module: CoreModule,
      global: true,
      providers: [
        { provide: ARBITER_CONFIG, useValue: config },
        { provide: ArbiterCore, useFactory: () => ArbiterCore.open(config, libraryLogger(new Logger(), 'Core')) },
        CoreLifecycle,
      ],
      exports: [ARBITER_CONFIG, ArbiterCore],
    };
  }
}
