import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bus, Consumer } from '@arbiter/bus';
import { DECISIONS_TOPIC, DomainEvent } from '@arbiter/contracts';
import { Simulator, publishDomainEvents } from '@arbiter/simulator';
import { ArbiterCore } from '../arbiter-core';
import { configFromEnv } from '../config';
import { waitUntilSettled } from '../demo';
import { AllInOneModule } from '../modules/all-in-one.module';
import { startWithoutHttp } from '../transport/connect-reasoner';

export interface DecideOptions {
  brokers: string[];
  policiesDir: string;
  /** Simulated events for the throughput phase (about a quarter of them are orders). */
  events: number;
  /** Offered load and duration of the latency phase. */
  ratePerSec?: number;
  seconds?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface DecideResult {
  bench: 'decide';
  bus: 'kafka';
  reasoner: 'heuristic';
  throughput: { events: number; decisions: number; seconds: number; decisionsPerSec: number };
  latency: { offeredPerSec: number; decisions: number; p50Ms: number; p90Ms: number; p99Ms: number; maxMs: number };
  decisionsPerSec: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return Number(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)].toFixed(2));
}

/** Watches `arbiter.decisions` and notes when the decision about each trigger event arrives. */
async function watchDecisions(bus: Bus, group: string): Promise<{ arrivals: Map<string, number>; consumer: Consumer }> {
  const arrivals = new Map<string, number>();
  const consumer = await bus.consume({
    group,
    topics: [DECISIONS_TOPIC],
    eachBatch: async (batch) => {
      const now = performance.now();
      for (const m of batch.messages) arrivals.set(JSON.parse(Buffer.from(m.value).toString('utf8')).data.trigger.eventId, now);
    },
  });
  return { arrivals, consumer };
}

/** Waits until no decision has arrived for a second. */
async function quiet(arrivals: Map<string, number>): Promise<void> {
  for (let seen = -1; seen !== arrivals.size; ) {
    seen = arrivals.size;
    await sleep(1_000);
  }
}

/**
 * Decisions end to end on a real broker with the offline reasoner: CloudEvents in on the
 * domain topics, decided, signed, appended, relayed, and read back from `arbiter.decisions`.
 * Throughput comes from a burst; latency from a steady offered load, publish to arrival.
 */
export async function benchDecide(options: DecideOptions): Promise<DecideResult> {
  const run = randomUUID().slice(0, 8);
  const dataDir = mkdtempSync(join(tmpdir(), 'arbiter-bench-decide-'));
  const config = configFromEnv({}, {
    dataDir, policiesDir: options.policiesDir, simulator: 'off', kafkaBrokers: options.brokers.join(','), topicPrefix: `bench-${run}.`, ledgerId: `bench-${run}`,
  });
  Logger.overrideLogger(['error', 'fatal']);
  const app = await startWithoutHttp(AllInOneModule.forRoot({ ...config, apiKey: 'bench-mode-has-no-http-api' }, { http: false }), {
    logger: ['error', 'fatal'],
    abortOnError: false,
  });
  try {
    const core = app.get(ArbiterCore);
    const bus = core.platform.bus;
    const { arrivals, consumer } = await watchDecisions(bus, `bench-${run}.watch`);
    const simulator = new Simulator({ seed: 7 });
    const decides = (e: DomainEvent) => core.engine.pointsFor(e.type).length > 0;

    const burst = [...simulator.take(options.events)];
    const rate = options.ratePerSec ?? 100;
    const steady = [...simulator.take(rate * (options.seconds ?? 20))];
    const total = [...burst, ...steady].filter(decides).length;
    const settle = () => waitUntilSettled(app, { timeoutMs: 600_000, onLag: () => options.onProgress?.(arrivals.size, total) });

    const started = performance.now();
    for (let i = 0; i < burst.length; i += 1_000) await publishDomainEvents(bus, burst.slice(i, i + 1_000));
    await settle();
    // Escalated decisions wait for a human and are relayed only when final, so they never
    // arrive: the burst is over when the relay has caught up and arrivals have stopped.
    await quiet(arrivals);
    const seconds = (Math.max(...arrivals.values()) - started) / 1000;
    const burstDecisions = arrivals.size;

    const sent = new Map<string, number>();
    const t0 = performance.now();
    for (let i = 0; i < steady.length; i++) {
      const due = t0 + (i * 1000) / rate;
      while (performance.now() < due) await sleep(Math.max(0, due - performance.now() - 1));
      if (decides(steady[i])) sent.set(steady[i].id, performance.now());
      await publishDomainEvents(bus, [steady[i]]);
      options.onProgress?.(arrivals.size, total);
    }
    await settle();
    await quiet(arrivals);
    await consumer.stop();

    const latencies = [...sent].filter(([id]) => arrivals.has(id)).map(([id, at]) => arrivals.get(id)! - at).sort((a, b) => a - b);
    const decisionsPerSec = Math.round(burstDecisions / seconds);
    return {
      bench: 'decide',
      bus: 'kafka',
      reasoner: 'heuristic',
      throughput: { events: burst.length, decisions: burstDecisions, seconds: Number(seconds.toFixed(3)), decisionsPerSec },
      latency: { offeredPerSec: rate, decisions: latencies.length, p50Ms: percentile(latencies, 50), p90Ms: percentile(latencies, 90), p99Ms: percentile(latencies, 99), maxMs: percentile(latencies, 100) },
      decisionsPerSec,
    };
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
