import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..', '..');

/**
 * The broker tests talk to: KAFKA_BROKERS when set, otherwise the real single-node broker that
 * `infra/kafka/kafka.sh` runs (started if it is not running yet; left running for the next run).
 */
export function testBrokers(): string[] {
  if (process.env.KAFKA_BROKERS) return process.env.KAFKA_BROKERS.split(',');
  const port = process.env.ARBITER_TEST_KAFKA_PORT ?? '29092';
  execFileSync(join(root, 'infra', 'kafka', 'kafka.sh'), ['start'], {
    env: { ...process.env, KAFKA_PORT: port, ARBITER_DATA_DIR: join(root, 'tmp', 'test-kafka') },
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 180_000,
  });
  return [`127.0.0.1:${port}`];
}
