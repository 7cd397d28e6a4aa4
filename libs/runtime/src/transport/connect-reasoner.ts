import { DynamicModule, INestApplication, Logger, NestApplicationOptions, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ArbiterCore } from '../arbiter-core';
import { ReasonerService } from '../modules/reasoner.module';
import { libraryLogger } from '../nest-logger';
import { reasonerTransport } from './reasoner-transport';

/**
 * Connects the reasoner's bus transport to an app that imports ReasonerModule and starts it:
 * from then on the app consumes the domain topics. Hosts call it after creating the app.
 */
export async function startReasoner(app: INestApplication): Promise<void> {
  const transport = reasonerTransport(app.get(ArbiterCore), libraryLogger(new Logger(), 'Reasoner'));
  app.connectMicroservice({ strategy: transport }, { inheritAppConfig: true });
  app.get(ReasonerService).consumeWith(transport);
  await app.startAllMicroservices();
}

/**
 * An app with the reasoner running but no HTTP server listening: for the demo, benchmarks and
 * the reasoner's own process.
 */
export async function startWithoutHttp(module: DynamicModule | Type<unknown>, options: NestApplicationOptions): Promise<INestApplication> {
  const app = await NestFactory.create(module, options);
  await startReasoner(app);
  await app.init();
  return app;
}
