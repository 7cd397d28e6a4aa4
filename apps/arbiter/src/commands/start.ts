import { NestFactory } from '@nestjs/core';
import type { Command } from 'commander';
import { join } from 'node:path';
import { AllInOneModule, ArbiterCore, ENVIRONMENT, configFromEnv, createNestLogger, resolveApiKey, startReasoner } from '@arbiter/runtime';

export const ENVIRONMENT_HELP = `
Environment:
  ${ENVIRONMENT.dataDir.padEnd(24)} where data, keys and the API key live (default ./data)
  ${ENVIRONMENT.port.padEnd(24)} HTTP port (default 8080)
  ${ENVIRONMENT.host.padEnd(24)} HTTP bind address (default 127.0.0.1)
  ${ENVIRONMENT.apiKey.padEnd(24)} API key for /v1 and /metrics (default: generated, kept in the data directory)
  ${ENVIRONMENT.ledgerId.padEnd(24)} ledger id written into every entry (default arbiter)
  ${ENVIRONMENT.policiesDir.padEnd(24)} policy documents (default ./policies)
  ${ENVIRONMENT.shadowPoliciesDir.padEnd(24)} candidate policies to run in shadow mode beside the live ones (default none)
  ${ENVIRONMENT.simulator.padEnd(24)} on|off: feed simulated traffic (default on)
  ${ENVIRONMENT.simulatorRate.padEnd(24)} simulated events per second (default 10)
  ${ENVIRONMENT.logFormat.padEnd(24)} json|pretty (default json, pretty on a terminal)
  ${ENVIRONMENT.databaseUrl.padEnd(24)} PostgreSQL for read models instead of the embedded engine
  ${ENVIRONMENT.kafkaBrokers.padEnd(24)} Apache Kafka brokers (comma-separated) instead of the in-process bus
  ${ENVIRONMENT.esdbConnectionString.padEnd(24)} EventStoreDB or KurrentDB (esdb://…) instead of the embedded event store
  ${ENVIRONMENT.openaiBaseUrl.padEnd(24)} an OpenAI-compatible endpoint for model-backed decisions (with ${ENVIRONMENT.openaiApiKey})
  ${ENVIRONMENT.topicPrefix.padEnd(24)} prefix of every topic name on the wire (default none)
`;

export function logFormat(): 'json' | 'pretty' {
  return (process.env.ARBITER_LOG_FORMAT as 'json' | 'pretty' | undefined) ?? (process.stdout.isTTY ? 'pretty' : 'json');
}

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('Run the all-in-one mode: every module in one process, embedded engines on disk, the HTTP API, and the simulator.')
    .addHelpText('after', ENVIRONMENT_HELP)
    .action(async () => {
      const config = configFromEnv(process.env, { logFormat: logFormat() });
      const key = resolveApiKey(config);
      const logger = createNestLogger(config.logFormat);
      const app = await NestFactory.create(AllInOneModule.forRoot({ ...config, apiKey: key.apiKey }), { logger, abortOnError: false });
      app.enableShutdownHooks();
      try {
        await startReasoner(app);
        await app.listen(config.port, config.host);
      } catch (e) {
        await app.close();
        throw e;
      }
      const core = app.get(ArbiterCore);
      const url = `http://${config.host}:${config.port}`;
      const shownKey = key.source === 'environment' ? '(from ARBITER_API_KEY)' : `${key.apiKey}  (${key.source === 'generated' ? 'generated; ' : ''}kept in ${key.file})`;
      process.stdout.write(
        [
          '',
          'Arbiter is running (all-in-one). Ctrl-C stops it; a restart resumes where it left off.',
          `  API       ${url}   (health: ${url}/health)`,
          `  API key   ${shownKey}`,
          `  Root key  ${core.keyRing.root}   (${join(core.platform.dataDir, 'keys', 'root.did')})`,
          `  Data      ${core.platform.dataDir}`,
          `  Simulator ${config.simulator === 'on' ? `on, ${config.simulatorRate} events/s (ARBITER_SIMULATOR=off turns it off)` : 'off'}`,
          `  Try       curl -H "Authorization: Bearer <API key>" ${url}/v1/decisions?limit=5`,
          '',
        ].join('\n') + '\n',
      );
    });
}
