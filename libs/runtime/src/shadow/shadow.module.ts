import { BeforeApplicationShutdown, Global, Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { ArbiterCore } from '../arbiter-core';
import { libraryLogger } from '../nest-logger';
import { ShadowMode, ShadowStatus } from './shadow-mode';

/** Runs shadow mode when ARBITER_SHADOW_POLICIES names a directory of candidate policies; otherwise does nothing. */
@Injectable()
export class ShadowService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private shadow: ShadowMode | null = null;

  constructor(private readonly core: ArbiterCore) {}

  async onApplicationBootstrap(): Promise<void> {
    const dir = this.core.platform.config.shadowPoliciesDir;
    if (dir) this.shadow = await ShadowMode.start(this.core, dir, libraryLogger(new Logger(), 'Shadow'));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.shadow?.stop();
    this.shadow = null;
  }

  get running(): ShadowMode | null {
    return this.shadow;
  }

  status(recent?: number): ShadowStatus | { enabled: false; reason: string } {
    return this.shadow ? this.shadow.status(recent) : { enabled: false, reason: 'no shadow policies in this process (ARBITER_SHADOW_POLICIES is unset, or the reasoner runs elsewhere)' };
  }
}

/** Global, so the gateway's shadow route finds the service wherever the reasoner hosts it. */
@Global()
@Module({ providers: [ShadowService], exports: [ShadowService] })
export class ShadowModule {}
