'use strict';
// Runs the workspace's TypeScript sources on Node. SWC compiles each module as it loads, with
// the options in .swcrc (the ones the tests compile with: decorator metadata for NestJS), and
// the @arbiter/* imports resolve to the libraries' sources, as tsconfig.base.json maps them.
// Compiled modules are cached on disk by content.
//
// It loads in milliseconds: a register that reads tsconfig through the TypeScript compiler
// spends about half a second loading it, in every CLI command and in every worker thread.
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const { threadId } = require('node:worker_threads');
const { addHook } = require('pirates');
const swc = require('@swc/core');

const root = path.join(__dirname, '..');
const readJson = (file) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));

const options = { ...readJson('.swcrc'), swcrc: false };
const aliases = new Map(Object.entries(readJson('tsconfig.base.json').compilerOptions.paths).map(([name, [file]]) => [name, path.join(root, file)]));
const cacheDir = path.join(root, 'node_modules', '.cache', 'arbiter-swc');
const salt = `${swc.version}\n${JSON.stringify(options)}`;

function compile(code, filename) {
  const key = createHash('sha256').update(salt).update('\0').update(filename).update('\0').update(code).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    // Not compiled yet.
  }
  const compiled = swc.transformSync(code, { ...options, filename }).code;
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    // Written aside and renamed: a process or thread reading at the same time sees all of it or nothing.
    const partial = `${cached}.${process.pid}-${threadId}`;
    fs.writeFileSync(partial, compiled);
    fs.renameSync(partial, cached);
  } catch {
    // A read-only install compiles again next time.
  }
  return compiled;
}

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolveFilename.call(this, aliases.get(request) ?? request, ...rest);
};
addHook(compile, { exts: ['.ts'], ignoreNodeModules: true });
// Stack traces name the TypeScript lines (the compiled modules carry inline source maps).
process.setSourceMapsEnabled(true);
