import 'reflect-metadata';
import { bootstrapApp } from '@arbiter/runtime';

/** The reasoner as its own process: `npx arbiter serve reasoner`. */
bootstrapApp('reasoner').catch((e: Error) => {
  process.stderr.write(`arbiter reasoner: ${e.message}\n`);
  process.exit(1);
});
