#!/usr/bin/env node
// Runs the CLI straight from TypeScript: SWC compiles each module on load (with decorator
// metadata for NestJS) and resolves the workspace's @arbiter/* paths.
const path = require('node:path');
process.env.SWC_NODE_PROJECT ??= path.join(__dirname, '..', 'tsconfig.runtime.json');
require('@swc-node/register');
require('../apps/arbiter/src/main.ts');
