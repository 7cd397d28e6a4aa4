import 'reflect-metadata';
import { bootstrapApp } from '@arbiter/runtime';

/** The projector as its own process: `npx arbiter serve projector`. */
bootstrapApp('projector').catch((e: Error) => {
  process.stderr.write(`arbiter projector: ${e.message}\n`);
  process.exit(1);
});
