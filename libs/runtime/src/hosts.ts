import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ArbiterConfig, ConfigError, configFromEnv } from './config';
import { resolveApiKey } from './api-key';
import { GatewayModule } from './gateway/gateway.module';
import { CoreModule } from './modules/core.module';
import { ProjectorModule } from './modules/projector.module';
import { ReasonerModule } from './modules/reasoner.module';
import { createNestLogger } from './nest-logger';
import { startWithoutHttp } from './transport/connect-reasoner';

export type AppName = 'reasoner' | 'projector' | 'gateway';

function distributedConfig(): ArbiterConfig {
  const config = configFromEnv();
  if (!config.databaseUrl) {
    throw new ConfigError('running one app per process needs DATABASE_URL (PostgreSQL): the embedded read-model engine serves a single process; use `npm start` for all-in-one');
  }
  return config;
}

/** Starts one app as its own process (the distributed mode); returns once it is serving. */
export async function bootstrapApp(name: AppName): Promise<void> {
  const config = distributedConfig();
  const logger = createNestLogger(config.logFormat);
  if (name === 'gateway') {
    const apiKey = resolveApiKey(config).apiKey;
    @Module({ imports: [CoreModule.forRoot(config), GatewayModule.register({ apiKey, decidedBy: 'reasoners' })] })
    class GatewayHost {}
    const app = await NestFactory.create(GatewayHost, { logger, abortOnError: false });
    app.enableShutdownHooks();
    await app.listen(config.port, config.host);
    logger.log({ message: 'gateway listening', url: `http://${config.host}:${config.port}` });
    return;
  }
  @Module({ imports: [CoreModule.forRoot(config), name === 'reasoner' ? ReasonerModule : ProjectorModule] })
  class WorkerHost {}
  const app = name === 'reasoner' ? await startWithoutHttp(WorkerHost, { logger, abortOnError: false }) : await NestFactory.createApplicationContext(WorkerHost, { logger, abortOnError: false });
  app.enableShutdownHooks();
  logger.log({ message: `${name} running` });
}
