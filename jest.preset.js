// Shared Jest settings: TypeScript through SWC (decorator metadata on, like the runtime),
// workspace libraries resolved from source, and @noble's ESM builds transformed for Jest's CJS runtime.
const path = require('node:path');
const fs = require('node:fs');

const swcrc = JSON.parse(fs.readFileSync(path.join(__dirname, '.swcrc'), 'utf8'));
const libs = path.join(__dirname, 'libs');

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', { ...swcrc, swcrc: false, sourceMaps: 'inline' }] },
  transformIgnorePatterns: ['/node_modules/(?!(@noble)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  moduleNameMapper: {
    '^@arbiter/([a-z0-9-]+)/testing$': `${libs}/$1/src/testing/index.ts`,
    '^@arbiter/([a-z0-9-]+)$': `${libs}/$1/src/index.ts`,
  },
  testMatch: ['**/?(*.)+(spec|test).ts'],
  testTimeout: 30000,
};
