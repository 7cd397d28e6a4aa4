import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ArbiterConfig } from './config';

export interface ResolvedApiKey {
  apiKey: string;
  source: 'environment' | 'data-dir' | 'generated';
  file: string | null;
}

/**
 * The gateway is never open: without ARBITER_API_KEY a key is generated on first start and
 * kept (mode 0600) in the data directory, so it survives restarts.
 */
export function resolveApiKey(config: ArbiterConfig): ResolvedApiKey {
  if (config.apiKey) return { apiKey: config.apiKey, source: 'environment', file: null };
  const dir = resolve(config.dataDir);
  const file = join(dir, 'api-key');
  if (existsSync(file)) return { apiKey: readFileSync(file, 'utf8').trim(), source: 'data-dir', file };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const apiKey = `arb_${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, apiKey + '\n', { mode: 0o600 });
  return { apiKey, source: 'generated', file };
}
