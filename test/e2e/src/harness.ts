import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdtempSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AllInOneModule, ArbiterConfig, ArbiterCore, configFromEnv, waitUntilSettled } from '@arbiter/runtime';

export const API_KEY = 'e2e-test-key-0123456789abcdef';
export const POLICIES = join(__dirname, '..', '..', '..', 'policies');

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
