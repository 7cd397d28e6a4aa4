import { BeforeApplicationShutdown, Injectable, Logger, Module, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { StoreProjectionRunner } from '@arbiter/memory';
import { domainTopics } from '@arbiter/contracts';
import { reasonerGroup } from '@arbiter/reasoning';
import { ArbiterCore } from '../arbiter-core';
import { libraryLogger } from '../nest-logger';
import { ShadowModule } from '../shadow/shadow.module';
import { ReasonerController } from './reasoner.controller';

/**
 * Relays final decisions to `arbiter.decisions`. The decisions themselves are made by
 * ReasonerController's handlers, on the bus transport a host starts with startReasoner().
 */
@Injectable()
export class ReasonerService implements OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown {
  private relayRunner: StoreProjectionRunner | null = null;
  private transport: { close(): Promise<void> } | null = null;
  constructor(private readonly core: ArbiterCore) {}

  /** The bus transport feeding the handlers, which startReasoner() connects. */
  consumeWith(transport: { close(): Promise<void> }): void {
    this.transport = transport;
  }

  /**
   * Stops consuming (letting decisions in hand finish) before any service's shutdown hook: Nest
   * closes transports only after those, and the relay and the notary would stop while decisions
   * were still being appended, leaving them unrelayed and outside the closing checkpoint.
   */
  async onModuleDestroy(): Promise<void> {
    await this.transport?.close();
  }

  async onApplicationBootstrap(): Promise<void> {
    this.relayRunner = this.core.relay(libraryLogger(new Logger(), 'Relay'));
    await this.relayRunner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relayRunner?.stop();
  }

  /** Domain events not yet decided on, by any process of this ledger's reasoner group. */
  lag(): Promise<bigint> {
    return this.core.platform.bus.lag(reasonerGroup(this.core.platform.config.ledgerId), domainTopics);
  }

  get relay(): StoreProjectionRunner | null {
    return this.relayRunner;
  }
}

@Module({ imports: [ShadowModule], controllers: [ReasonerController], providers: [ReasonerService], exports: [ReasonerService] })
export class ReasonerModule {}
