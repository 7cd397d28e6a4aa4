import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Bus, withTopicPrefix } from '@arbiter/bus';
import { KafkaBus } from '@arbiter/bus-kafka';
import { testBrokers } from '@arbiter/bus-kafka/testing';
import { EsdbEventStore } from '@arbiter/event-store-esdb';
import { PolicyBook } from '@arbiter/policy';
import { POLICIES } from './harness';

const root = join(__dirname, '..', '..', '..');
const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Event types some policy decides on: each such event gets exactly one decision. */
export function triggeringTypes(): Set<string> {
  return new Set(PolicyBook.load(POLICIES).all().flatMap((p) => p.document.trigger.types));
}

/**
 * The distributed mode as its own processes: esdb-lite (EventStoreDB's protocol) on a fixed
 * port, so it can be killed and started again; PostgreSQL (a database of its own); the test's
 * Kafka broker; and any number of `arbiter serve <app>` processes.
 */
export class DistributedCluster {
  readonly run = randomUUID().slice(0, 8);
  readonly ledger = `dist-${this.run}`;
  readonly prefix = `dist-${this.run}.`;
  readonly database = `arbiter_dist_${this.run}`;
  readonly dataDir = mkdtempSync(join(tmpdir(), 'arbiter-dist-'));
  readonly brokers = testBrokers();
  private readonly processes = new Set<ChildProcess>();
  private esdb: ChildProcess | null = null;
  private env: NodeJS.ProcessEnv = {};
  private esdbPort = 0;
  readonly databaseUrl: string;

  private constructor() {
    const url = new URL(adminUrl);
    url.pathname = `/${this.database}`;
    this.databaseUrl = url.toString();
  }

  static async start(): Promise<DistributedCluster> {
    const cluster = new DistributedCluster();
    await cluster.admin(`CREATE DATABASE ${cluster.database}`);
    cluster.esdbPort = await freePort();
    await cluster.startEsdb();
    cluster.env = {
      ...process.env, NODE_OPTIONS: '', ARBITER_DATA_DIR: join(cluster.dataDir, 'app'), ARBITER_LEDGER_ID: cluster.ledger, ARBITER_TOPIC_PREFIX: cluster.prefix,
      KAFKA_BROKERS: cluster.brokers.join(','), DATABASE_URL: cluster.databaseUrl, ESDB_CONNECTION_STRING: cluster.esdbUrl,
      ARBITER_LOG_FORMAT: 'json', ARBITER_API_KEY: 'distributed-test-key-0123',
    };
    return cluster;
  }

  get esdbUrl(): string {
    return `esdb://127.0.0.1:${this.esdbPort}?tls=false`;
  }

  private async admin(sql: string): Promise<void> {
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(sql);
    await admin.end();
  }

  /** Starts esdb-lite on its port and data directory (again, after a kill). */
  async startEsdb(): Promise<void> {
    this.esdb = await this.spawnUntil(['esdb-lite', '--port', String(this.esdbPort), '--data', join(this.dataDir, 'esdb')], 'esdb://', process.env);
  }

  killEsdb(): void {
    this.esdb?.kill('SIGKILL');
  }

  /** `arbiter serve <app>`, resolved once it says it is running. */
  serve(app: 'reasoner' | 'projector'): Promise<ChildProcess> {
    return this.spawnUntil(['serve', app], `${app} running`, this.env);
  }

  /** `arbiter serve gateway` on a free port; resolves with its base URL once it listens. */
  async serveGateway(): Promise<string> {
    const port = await freePort();
    await this.spawnUntil(['serve', 'gateway'], 'gateway listening', { ...this.env, ARBITER_PORT: String(port), ARBITER_HOST: '127.0.0.1' });
    return `http://127.0.0.1:${port}`;
  }

  get apiKey(): string {
    return this.env.ARBITER_API_KEY!;
  }

  private spawnUntil(args: string[], ready: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
    const child = spawn(process.execPath, [join(root, 'bin', 'arbiter.js'), ...args], { cwd: root, env: { ...env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.processes.add(child);
    child.once('exit', () => this.processes.delete(child));
    return new Promise((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk) => {
        out += String(chunk);
        if (out.includes(ready)) resolve(child);
      });
      child.stderr!.on('data', (chunk) => (out += String(chunk)));
      child.once('exit', (code) => {
        const failure = new Error(`${args.join(' ')} exited with ${code}: ${out.slice(-2000)}`);
        // After it was ready, a crash would otherwise only show as the test's next request failing.
        if (code) process.stderr.write(`${failure.message}\n`);
        reject(failure);
      });
    });
  }

  /** The ledger as the auditor sees it: through EventStoreDB's protocol. */
  store(): EsdbEventStore {
    return EsdbEventStore.connect(this.esdbUrl);
  }

  bus(): Bus {
    return withTopicPrefix(new KafkaBus({ brokers: this.brokers }), this.prefix);
  }

  async query<T>(sql: string): Promise<T[]> {
    const db = new Client({ connectionString: this.databaseUrl });
    await db.connect();
    try {
      return (await db.query(sql)).rows as T[];
    } finally {
      await db.end();
    }
  }

  async dispose(): Promise<void> {
    for (const p of this.processes) p.kill('SIGKILL');
    await sleep(500);
    await this.admin(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`);
  }
}
