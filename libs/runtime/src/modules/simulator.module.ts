import { BeforeApplicationShutdown, Inject, Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { Simulator, publishDomainEvents } from '@arbiter/simulator';
import { ArbiterCore } from '../arbiter-core';
import type { ArbiterConfig } from '../config';
import { ARBITER_CONFIG } from './core.module';

const TICK_MS = 200;

/** Feeds the bus with simulated traffic at ARBITER_SIMULATOR_RATE events per second. */
@Injectable()
export class SimulatorService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private publishing: Promise<void> = Promise.resolve();
  private readonly logger = new Logger('Simulator');

  constructor(
    private readonly core: ArbiterCore,
    @Inject(ARBITER_CONFIG) private readonly config: ArbiterConfig,
  ) {}

  onApplicationBootstrap(): void {
    // A fresh seed per run: a restart brings new traffic rather than replaying the last run's ids.
    const seed = randomInt(1, 2 ** 31 - 1);
    const simulator = new Simulator({ seed, start: this.core.platform.clock.now(), meanGapMs: 1000 / this.config.simulatorRate });
    this.logger.log({ message: 'simulator started', seed, eventsPerSecond: this.config.simulatorRate });
    let owed = 0;
    this.timer = setInterval(() => {
      owed += (this.config.simulatorRate * TICK_MS) / 1000;
      const count = Math.floor(owed);
      if (count === 0) return;
      owed -= count;
      this.publishing = this.publishing
        .then(() => publishDomainEvents(this.core.platform.bus, [...simulator.take(count)]))
        .catch((e: Error) => this.logger.error({ message: 'simulated events could not be published', error: e.message }));
    }, TICK_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.publishing;
  }
}

@Module({ providers: [SimulatorService] })
export class SimulatorModule {}
