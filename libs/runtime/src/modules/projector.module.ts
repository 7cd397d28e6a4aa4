import { BeforeApplicationShutdown, Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import type { DomainProjector, StoreProjectionRunner } from '@arbiter/memory';
import { ArbiterCore } from '../arbiter-core';
import { libraryLogger } from '../nest-logger';
import { NotaryService } from './notary.service';

/** Archives the domain topics and builds customer memory from them, and the audit views from the ledger. */
@Injectable()
export class ProjectorService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private domain: DomainProjector | null = null;
  private ledgerRunner: StoreProjectionRunner | null = null;

  constructor(private readonly core: ArbiterCore) {}

  async onApplicationBootstrap(): Promise<void> {
    const logger = libraryLogger(new Logger(), 'Projector');
    this.domain = this.core.domainProjector(logger);
    await this.domain.start();
    this.ledgerRunner = this.core.ledgerProjection(logger);
    await this.ledgerRunner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.domain?.stop();
    await this.ledgerRunner?.stop();
  }

  /** Domain events on the bus not archived yet. */
  lag(): Promise<bigint> {
    return this.domain ? this.domain.lag() : Promise.resolve(0n);
  }

  /** True when customer memory and the audit views hold everything in the store. */
  async caughtUp(): Promise<boolean> {
    return (!this.domain || (await this.domain.caughtUp())) && (!this.ledgerRunner || (await this.ledgerRunner.caughtUp()));
  }

  get ledger(): StoreProjectionRunner | null {
    return this.ledgerRunner;
  }
}

@Module({ providers: [ProjectorService, NotaryService], exports: [ProjectorService, NotaryService] })
export class ProjectorModule {}
