import { INestApplicationContext, LoggerService } from '@nestjs/common';
import type { DomainEvent } from '@arbiter/contracts';
import { VerificationReport, collectLedgerLeaves, parseRecord, storeSource, verifyLedger } from '@arbiter/ledger';
import { latestCheckpoint } from '@arbiter/notary';
import { Simulator, publishDomainEvents } from '@arbiter/simulator';
import { ArbiterCore } from './arbiter-core';
import type { ArbiterConfig } from './config';
import { AllInOneModule } from './modules/all-in-one.module';
import { startWithoutHttp } from './transport/connect-reasoner';
import { NotaryService } from './modules/notary.service';
import { ProjectorService } from './modules/projector.module';
import { ReasonerService } from './modules/reasoner.module';

export interface DemoOptions {
  events: number;
  seed: number;
  timeoutMs?: number;
  logger: LoggerService | false;
  onProgress?: (progress: { phase: 'publishing' | 'deciding'; done: number; total: number }) => void;
}

export interface DemoReport {
  ok: boolean;
  dataDir: string;
  rootDid: string;
  events: number;
  decisionsExpected: number;
  decisions: number;
  newDecisions: number;
  outcomes: Record<string, number>;
  ledger: { entries: number; chains: number };
  verification: VerificationReport;
  elapsedMs: number;
}

export class DemoTimeoutError extends Error {
  readonly code = 'demo-timeout';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the all-in-one pipeline (without HTTP) on `events` simulated events, waits until every
 * triggered decision is in the ledger, relayed, projected and covered by a signed checkpoint,
 * then verifies the whole ledger against that checkpoint.
 */
export async function runDemo(config: ArbiterConfig, options: DemoOptions): Promise<DemoReport> {
  const started = Date.now();
  const app = await startWithoutHttp(AllInOneModule.forRoot({ ...config, simulator: 'off', apiKey: 'demo-mode-has-no-http-api' }, { http: false }), {
    logger: options.logger,
    abortOnError: false,
  });
  app.enableShutdownHooks();
  try {
    const core = app.get(ArbiterCore);
    const before = await countDecisions(core);

    const events: DomainEvent[] = [...new Simulator({ seed: options.seed }).take(options.events)];
    for (let i = 0; i < events.length; i += 500) {
      await publishDomainEvents(core.platform.bus, events.slice(i, i + 500));
      options.onProgress?.({ phase: 'publishing', done: Math.min(i + 500, events.length), total: events.length });
    }
    const expected = events.reduce((n, e) => n + core.engine.pointsFor(e.type).length, 0);

    const timeoutMs = options.timeoutMs ?? 600_000;
    const deadline = Date.now() + timeoutMs;
    await waitUntilSettled(app, {
      timeoutMs,
      onLag: (lag) => options.onProgress?.({ phase: 'deciding', done: Math.max(0, events.length - lag), total: events.length }),
    });

    const leaves = await collectLedgerLeaves(core.platform.store);
    await waitForCheckpoint(app, leaves.length, deadline);
    const { report: verification } = await verifyLedger(storeSource(core.platform.store), { trustRoot: core.keyRing.root, ledger: config.ledgerId, workers: 0 });
    const ids = new Set(events.map((e) => e.id));
    const outcomes: Record<string, number> = {};
    let decisions = 0;
    for (const { text } of leaves) {
      const record = parseRecord(text);
      if (record.type !== 'decision' || !ids.has(String((record.body.trigger as { eventId: string }).eventId))) continue;
      decisions++;
      const outcome = String((record.body.verdict as { outcome: string }).outcome);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
    const after = await countDecisions(core);
    return {
      ok: verification.ok && decisions === expected,
      dataDir: core.platform.dataDir,
      rootDid: core.keyRing.root,
      events: events.length,
      decisionsExpected: expected,
      decisions,
      newDecisions: after - before,
      outcomes,
      ledger: { entries: verification.entries, chains: verification.chains },
      verification,
      elapsedMs: Date.now() - started,
    };
  } finally {
    await app.close();
  }
}

/**
 * Waits until the running pipeline has nothing left to do: every domain event decided on and
 * projected, every decision relayed, every ledger record in the audit views.
 */
export async function waitUntilSettled(app: INestApplicationContext, options: { timeoutMs: number; onLag?: (lag: number) => void }): Promise<void> {
  const reasoner = app.get(ReasonerService);
  const projector = app.get(ProjectorService);
  const deadline = Date.now() + options.timeoutMs;
  const settled = async () => {
    const lag = Number(await reasoner.lag());
    options.onLag?.(lag);
    return lag === 0 && (await projector.lag()) === 0n && (await reasoner.relay!.caughtUp()) && (await projector.caughtUp());
  };
  let lastError: Error | null = null;
  for (;;) {
    // The pipeline retries through outages (a broker restarting), so an error here only means "not yet".
    const done = await settled().catch((e: Error) => ((lastError = e), false));
    if (done) return;
    if (Date.now() > deadline) {
      const failed = reasoner.relay?.failed ?? projector.ledger?.failed ?? lastError;
      throw new DemoTimeoutError(`the pipeline did not settle within ${options.timeoutMs} ms${failed ? `; last error: ${failed.message}` : ''}`);
    }
    await sleep(50);
  }
}

/** Waits until the notary has signed a checkpoint covering the first `leaves` records of the log. */
export async function waitForCheckpoint(app: INestApplicationContext, leaves: number, deadline: number): Promise<void> {
  const core = app.get(ArbiterCore);
  const notary = app.get(NotaryService).notary;
  for (;;) {
    const latest = await latestCheckpoint(core.platform.store);
    if (latest && latest.checkpoint.size >= BigInt(leaves)) return;
    if (notary?.stoppedForGood) throw notary.stoppedForGood;
    if (Date.now() > deadline) throw new DemoTimeoutError(`no checkpoint covered the ${leaves} ledger records in time`);
    await sleep(50);
  }
}

async function countDecisions(core: ArbiterCore): Promise<number> {
  let n = 0;
  for await (const _ of core.platform.store.readAll({ filter: { eventTypePrefixes: ['arbiter.ledger.v1.decision'] } })) n++;
  return n;
}
