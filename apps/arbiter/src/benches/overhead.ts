import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Bus } from '@arbiter/bus';
import type { DomainEvent } from '@arbiter/contracts';
import { decisionRelay } from '@arbiter/reasoning';
import { ArbiterCore, configFromEnv } from '@arbiter/runtime';
import { Simulator, publishDomainEvents } from '@arbiter/simulator';
import { silentLogger } from '@arbiter/telemetry';
import type { Bench } from './bench';

const OFFERED_PER_SEC = 500;
const TARGET_P99_MS = 5;
/** Simulated history folded into memory first, so every decision reads a realistic customer. */
const HISTORY_EVENTS = 6_000;
/** The first decisions warm the JIT and the caches; they are run but not counted. */
const WARMUP = 250;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => Number(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))].toFixed(3));
  return { p50Ms: at(50), p90Ms: at(90), p99Ms: at(99), maxMs: at(100) };
}

/** A bus that notes when the relay hands each decision over: the end of the overhead. */
function timedBus(bus: Bus, handedOver: Map<string, number>): Bus {
  return {
    ensureTopics: (t) => bus.ensureTopics(t),
    consume: (o) => bus.consume(o),
    lag: (g, t) => bus.lag(g, t),
    close: () => bus.close(),
    publish: async (topic, messages) => {
      await bus.publish(topic, messages);
      const now = performance.now();
      for (const m of messages) handedOver.set(JSON.parse(String(m.value)).id, now);
    },
  };
}

/**
 * A database of its own on the DATABASE_URL server, dropped afterwards: so the read models can be
 * measured on PostgreSQL (another process, another core) as well as on the embedded engine.
 */
async function scratchDatabase(url: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `arbiter_bench_${randomUUID().slice(0, 8)}`;
  const admin = new Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  return {
    url: scratch.toString(),
    drop: async () => {
      const c = new Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * Decision overhead without the model: context from customer memory, the allowed set, the
 * heuristic, the verdict with every guard, signing, the append with its exact expected revision,
 * and the relay's hand-over to arbiter.decisions. Decisions are offered open-loop at 500/s (each
 * starts when it is due, whether or not the previous one has finished), on the embedded engines.
 */
export const overheadBench: Bench = {
  name: 'overhead',
  summary: `decision overhead without the model call (memory, policy, signing, append, relay) at ${OFFERED_PER_SEC} decisions/s offered; target p99 ≤ ${TARGET_P99_MS} ms (read models on PostgreSQL when DATABASE_URL is set)`,
  run: async ({ events = 5_000, progress }) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'arbiter-bench-overhead-'));
    const database = process.env.DATABASE_URL ? await scratchDatabase(process.env.DATABASE_URL) : null;
    const config = configFromEnv({}, { dataDir, policiesDir: join(process.cwd(), 'policies'), simulator: 'off', ...(database ? { databaseUrl: database.url } : {}) });
    const core = await ArbiterCore.open(config, silentLogger).catch(async (e) => {
      await database?.drop();
      throw e;
    });
    try {
      const simulator = new Simulator({ seed: 17 });
      const projector = core.domainProjector(silentLogger);
      await publishDomainEvents(core.platform.bus, [...simulator.take(HISTORY_EVENTS)]);
      await projector.start();
      while ((await projector.lag()) > 0n) await sleep(50);
      await projector.stop();

      const deciding: DomainEvent[] = [];
      while (deciding.length < events + WARMUP) {
        const e = simulator.next();
        if (core.engine.pointsFor(e.type).length > 0) deciding.push(e);
      }
      const handedOver = new Map<string, number>();
      const relay = decisionRelay(core.platform.store, timedBus(core.platform.bus, handedOver), core.platform.readModels, config.ledgerId, silentLogger);
      await relay.start();

      const decided = new Map<string, { due: number; done: number }>();
      // Escalated decisions wait for a human and are relayed only when final: nothing to wait for.
      const escalated = new Set<string>();
      const running: Promise<void>[] = [];
      const load = loadavg()[0];
      const cpu = process.cpuUsage();
      const t0 = performance.now() + 50;
      for (let i = 0; i < deciding.length; i++) {
        const due = t0 + (i * 1000) / OFFERED_PER_SEC;
        while (performance.now() < due) await sleep(Math.max(0, due - performance.now() - 1));
        const event = deciding[i];
        running.push(
          core.engine.decide(event, { topic: null, partition: null, offset: null }).then((results) => {
            const done = performance.now();
            for (const r of results) {
              if (i < WARMUP) continue;
              decided.set(r.decisionId, { due, done });
              if ((r.record.body.verdict as { outcome?: string } | undefined)?.outcome === 'escalated') escalated.add(r.decisionId);
            }
          }),
        );
        if (i % 100 === 0) progress(i, deciding.length);
      }
      await Promise.all(running);
      const seconds = (performance.now() - t0) / 1000;
      const used = process.cpuUsage(cpu);
      const deadline = Date.now() + 60_000;
      while ([...decided.keys()].some((id) => !handedOver.has(id) && !escalated.has(id)) && Date.now() < deadline) await sleep(20);
      await relay.stop();
      progress(deciding.length, deciding.length);

      const decide = summary([...decided.values()].map((d) => d.done - d.due));
      const relayed = [...decided].filter(([id]) => handedOver.has(id));
      const notRelayed = decided.size - relayed.length;
      return {
        bench: 'overhead',
        readModels: database ? 'postgresql' : 'embedded (PGlite)',
        offeredPerSec: OFFERED_PER_SEC,
        decisions: decided.size,
        warmup: WARMUP,
        seconds: Number(seconds.toFixed(3)),
        achievedPerSec: Math.round((decided.size + WARMUP) / seconds),
        reasoner: 'heuristic (the model call is what this excludes)',
        // Trigger due → decision signed and appended: memory, policy, heuristic, verdict, signing, append.
        decide,
        // Appended → handed to arbiter.decisions by the relay (a catch-up subscription that batches for up to 20 ms).
        relay: summary(relayed.map(([id, d]) => handedOver.get(id)! - d.done)),
        // Trigger due → handed to arbiter.decisions.
        endToEnd: summary(relayed.map(([id, d]) => handedOver.get(id)! - d.due)),
        escalatedNotRelayed: escalated.size,
        // Final decisions the relay did not hand over within a minute: a fault, not a measurement.
        finalNotRelayed: notRelayed - escalated.size,
        // What one decision costs this process in CPU, and how busy the machine was: p99 at an offered
        // load means little once the offered load exceeds what the CPU left to this process can serve.
        cpuMsPerDecision: Number(((used.user + used.system) / 1000 / (decided.size + WARMUP)).toFixed(3)),
        machineLoadAverage: Number(load.toFixed(2)),
        targetP99Ms: TARGET_P99_MS,
        decideP99WithinTarget: decide.p99Ms <= TARGET_P99_MS,
      };
    } finally {
      await core.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
