import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { testBrokers } from '@arbiter/bus-kafka/testing';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AllInOneModule, ArbiterConfig, ArbiterCore, configFromEnv, startReasoner, waitUntilSettled } from '@arbiter/runtime';

export const API_KEY = 'e2e-test-key-0123456789abcdef';
export const POLICIES = join(__dirname, '..', '..', '..', 'policies');

/** The buses every pipeline test runs on: the in-process log, and a real Kafka broker. */
export const BUSES: [string, () => Partial<ArbiterConfig>][] = [
  ['in-process bus', () => ({})],
  [
    'Kafka bus',
    () => {
      // A prefix and a ledger of its own keep each test's topics and consumer groups apart on the shared broker.
      const run = randomUUID().slice(0, 8);
      return { kafkaBrokers: testBrokers().join(','), topicPrefix: `e2e-${run}.`, ledgerId: `e2e-${run}` };
    },
  ],
];

export function freshDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'arbiter-e2e-'));
}

export interface Running {
  app: INestApplication;
  core: ArbiterCore;
  url: string;
  settle: () => Promise<void>;
  close: () => Promise<void>;
}

/** Starts the all-in-one host as `npm start` does (HTTP on a free port, simulator off). */
export async function startAllInOne(dataDir: string, overrides: Partial<ArbiterConfig> = {}): Promise<Running> {
  const config = configFromEnv({}, { dataDir, policiesDir: POLICIES, simulator: 'off', port: 0, ...overrides });
  const app = await NestFactory.create(AllInOneModule.forRoot({ ...config, apiKey: API_KEY }), { logger: ['error', 'fatal'], abortOnError: false });
  await startReasoner(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    core: app.get(ArbiterCore),
    url: `http://127.0.0.1:${port}`,
    settle: () => waitUntilSettled(app, { timeoutMs: 120_000 }),
    close: () => app.close(),
  };
}
