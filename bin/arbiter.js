#!/usr/bin/env node
// Runs the CLI straight from TypeScript: SWC compiles each module on load (with decorator
// metadata for NestJS) and resolves the workspace's @arbiter/* paths (./register.js).
// A reader that stops early (`arbiter … | head`) closes the pipe: that ends the output, not in a crash.
for (const stream of [process.stdout, process.stderr]) stream.on('error', (e) => (e.code === 'EPIPE' ? process.exit(0) : Promise.reject(e)));
require('./register');
require('../apps/arbiter/src/main.ts');
