import 'reflect-metadata';
import { bootstrapApp } from '@arbiter/runtime';

/** The gateway as its own process: `npx arbiter serve gateway`. */
bootstrapApp('gateway').catch((e: Error) => {
  process.stderr.write(`arbiter gateway: ${e.message}\n`);
  process.exit(1);
});
