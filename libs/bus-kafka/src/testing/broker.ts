import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..', '..');

/**
 * The broker tests talk to: KAFKA_BROKERS when set, otherwise the real single-node broker that
 * `infra/kafka/kafka.sh` runs on ARBITER_TEST_KAFKA_PORT (default 29092) — started if it is
 * not running yet, and left running for the next run (`npm run kafka:stop` with the same
 * settings stops it).
 */
export function testBrokers(): string[] {
  if (process.env.KAFKA_BROKERS) return process.env.KAFKA_BROKERS.split(',');
  const port = process.env.ARBITER_TEST_KAFKA_PORT ?? '29092';
  execFileSync(join(root, 'infra', 'kafka', 'kafka.sh'), ['start'], {
    env: { ...process.env, KAFKA_PORT: port, ARBITER_DATA_DIR: testKafkaDataDir() },
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 240_000,
  });
  return [`127.0.0.1:${port}`];
}

/** Shared by every checkout on the machine, so parallel runs find the one broker. */
export function testKafkaDataDir(): string {
  return process.env.ARBITER_TEST_KAFKA_DIR ?? join(tmpdir(), 'arbiter-test-kafka');
}

function listenable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port whose successor is free too: a broker's listener and its KRaft controller. */
async function freePortPair(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = server.address() as { port: number };
        server.close(() => resolve(p));
      });
    });
    if (port < 65535 && (await listenable(port + 1))) return port;
  }
}

/**
 * A broker of a test's own, for tests that stop, pause or restart it (the shared one must stay up
 * for the other suites): `infra/kafka/kafka.sh` on free ports, with its data in a temp directory.
 */
export class OwnBroker {
  readonly dir = mkdtempSync(join(tmpdir(), 'arbiter-kafka-own-'));
  private stopped = false;
  private constructor(readonly port: number) {}

  static async start(): Promise<OwnBroker> {
    const broker = new OwnBroker(await freePortPair());
    broker.start();
    return broker;
  }

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  /** The broker's process id, while it runs. */
  get pid(): number {
    return Number(readFileSync(join(this.dir, 'kafka', 'broker.pid'), 'utf8').trim());
  }

  /**
   * Runs `during` with the broker's process stopped (SIGSTOP): requests wait in its sockets
   * unanswered. Then lets it go on, and gives it `settleMs` to work through what waited.
   */
  async paused(during: () => Promise<void>, settleMs = 1_000): Promise<void> {
    process.kill(this.pid, 'SIGSTOP');
    this.stopped = true;
    try {
      await during();
    } finally {
      process.kill(this.pid, 'SIGCONT');
      this.stopped = false;
    }
    await new Promise((resolve) => setTimeout(resolve, settleMs));
  }

  private script(command: 'start' | 'stop'): void {
    execFileSync(join(root, 'infra', 'kafka', 'kafka.sh'), [command], {
      env: { ...process.env, KAFKA_PORT: String(this.port), KAFKA_CONTROLLER_PORT: String(this.port + 1), ARBITER_DATA_DIR: this.dir },
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 240_000,
    });
  }

  start = () => this.script('start');
  stop = () => this.script('stop');

  dispose(): void {
    if (this.stopped) process.kill(this.pid, 'SIGCONT');
    this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
