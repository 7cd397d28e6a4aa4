import { BeforeApplicationShutdown, Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import type { StoreProjectionRunner } from '@arbiter/memory';
import type { ReasonerConsumer } from '@arbiter/reasoning';
import { ArbiterCore } from '../arbiter-core';
import { libraryLogger } from '../nest-logger';
import { ShadowModule } from '../shadow/shadow.module';

/** Consumes domain events and decides; relays final decisions to `arbiter.decisions`. */
@Injectable()
export class ReasonerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private consumer: ReasonerConsumer | null = null;
  private relayRunner: StoreProjectionRunner | null = null;
  private readonly logger = libraryLogger(new Logger(), 'Reasoner');

  constructor(private readonly core: ArbiterCore) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = this.core.reasonerConsumer(this.logger);
    await this.consumer.start();
    this.relayRunner = this.core.relay(libraryLogger(new Logger(), 'Relay'));
    await this.relayRunner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
    await this.relayRunner?.stop();
  }

  /** Domain events not yet decided on. */
  lag(): Promise<bigint> {
    return this.consumer ? this.consumer.lag() : Promise.resolve(0n);
  }

  get relay(): StoreProjectionRunner | null {
    return this.relayRunner;
  }
}

@Module({ imports: [ShadowModule], providers: [ReasonerService], exports: [ReasonerService] })
export class ReasonerModule {}
