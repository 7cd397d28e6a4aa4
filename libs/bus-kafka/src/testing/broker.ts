import { execFileSync } from 'node:child_process';
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
