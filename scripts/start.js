#!/usr/bin/env node
// `npm start` on a fresh clone: install what is missing, then run the all-in-one mode.
const { existsSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
if (!existsSync(path.join(root, 'node_modules', 'pirates'))) {
  console.error('Installing dependencies (first start only)…');
  const install = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (install.status !== 0) process.exit(install.status ?? 1);
}
process.argv = [process.argv[0], path.join(root, 'bin', 'arbiter.js'), 'start', ...process.argv.slice(2)];
require('../bin/arbiter.js');
