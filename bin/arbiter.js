#!/usr/bin/env -S node --max-semi-space-size=64
// The flag (also in package.json's scripts and the Dockerfile) gives V8's young generation room:
// decisions, records and batches of several KB each are alive across many allocations, and in the
// default 16 MB semi-space they survive scavenges and are copied again and again (README,
// "Young generation", has the measurements).
// Runs the CLI straight from TypeScript: SWC compiles each module on load (with decorator
// metadata for NestJS) and resolves the workspace's @arbiter/* paths (./register.js).
// A reader that stops early (`arbiter … | head`) closes the pipe: that ends the output, not in a crash.
for (const stream of [process.stdout, process.stderr]) stream.on('error', (e) => (e.code === 'EPIPE' ? process.exit(0) : Promise.reject(e)));
require('./register');
require('../apps/arbiter/src/main.ts');
