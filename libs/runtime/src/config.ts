import { z } from 'zod';
import { LEDGER_ID } from '@arbiter/ledger';

const onOff = z.enum(['on', 'off']);

/** Arbiter's configuration: environment variables, validated once at start-up. */
export const arbiterConfigSchema = z.object({
  dataDir: z.string().min(1).default('./data'),
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  host: z.string().default('127.0.0.1'),
  apiKey: z.string().min(16, 'ARBITER_API_KEY must be at least 16 characters').optional(),
  ledgerId: z.string().regex(LEDGER_ID, 'ARBITER_LEDGER_ID must match [a-z0-9][a-z0-9._-]{0,62}').default('arbiter'),
  policiesDir: z.string().min(1).default('./policies'),
  simulator: onOff.default('on'),
  simulatorRate: z.coerce.number().positive().max(100_000).default(10),
  logFormat: z.enum(['json', 'pretty']).default('json'),
  kafkaBrokers: z.string().min(1).optional(),
  topicPrefix: z.string().regex(/^[A-Za-z0-9._-]*$/, 'ARBITER_TOPIC_PREFIX may hold letters, digits, ".", "_" and "-"').default(''),
  esdbConnectionString: z.string().min(1).optional(),
  databaseUrl: z.string().min(1).optional(),
  openaiBaseUrl: z.url().optional(),
  openaiApiKey: z.string().min(1).optional(),
  /** Candidate policies to run beside the live ones, deciding into the shadow ledger only. */
  shadowPoliciesDir: z.string().min(1).optional(),
});

export type ArbiterConfig = z.infer<typeof arbiterConfigSchema>;

/** Each setting and the environment variable it comes from, for the README and `--help`. */
export const ENVIRONMENT: Record<keyof ArbiterConfig, string> = {
  dataDir: 'ARBITER_DATA_DIR',
  port: 'ARBITER_PORT',
  host: 'ARBITER_HOST',
  apiKey: 'ARBITER_API_KEY',
  ledgerId: 'ARBITER_LEDGER_ID',
  policiesDir: 'ARBITER_POLICIES_DIR',
  simulator: 'ARBITER_SIMULATOR',
  simulatorRate: 'ARBITER_SIMULATOR_RATE',
  logFormat: 'ARBITER_LOG_FORMAT',
  kafkaBrokers: 'KAFKA_BROKERS',
  topicPrefix: 'ARBITER_TOPIC_PREFIX',
  esdbConnectionString: 'ESDB_CONNECTION_STRING',
  databaseUrl: 'DATABASE_URL',
  openaiBaseUrl: 'OPENAI_BASE_URL',
  openaiApiKey: 'OPENAI_API_KEY',
  shadowPoliciesDir: 'ARBITER_SHADOW_POLICIES',
};

export class ConfigError extends Error {
  readonly code = 'config-invalid';
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: Partial<ArbiterConfig> = {}): ArbiterConfig {
  const raw: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENVIRONMENT)) if (env[name] !== undefined && env[name] !== '') raw[key] = env[name];
  const parsed = arbiterConfigSchema.safeParse({ ...raw, ...overrides });
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${ENVIRONMENT[i.path[0] as keyof ArbiterConfig] ?? i.path.join('.')}: ${i.message}`).join('; '));
  }
  return parsed.data;
}
