import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Notary } from '@arbiter/notary';
import { ArbiterCore } from '../arbiter-core';
import { libraryLogger } from '../nest-logger';

/**
 * Runs the notary beside the projections: it folds the ledger into the Merkle log and signs
 * checkpoints. Every projector process starts one; a read-model lease lets one of them work.
 */
@Injectable()
export class NotaryService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private running: Notary | null = null;

  constructor(private readonly core: ArbiterCore) {}

  async onApplicationBootstrap(): Promise<void> {
    this.running = this.core.notary(libraryLogger(new Logger(), 'Notary'));
    await this.running.start();
  }

  /** Signs the closing checkpoint, then lets the lease go. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.running?.stop();
  }

  get notary(): Notary | null {
    return this.running;
  }
}
