import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker, WorkerOptions } from 'node:worker_threads';

function findUp(from: string, file: string): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, file))) return join(dir, file);
    if (dirname(dir) === dir) return null;
  }
}

/**
 * A worker thread whose entry point is module `name`, a sibling of the caller's module (pass
 * `__filename`). Run from sources, that module is TypeScript: the thread loads the workspace's
 * register first (bin/register.js, as bin/arbiter.js does), since a worker does not inherit its
 * host's loader. A compiled build loads the sibling .js directly.
 */
export function moduleWorker(callerFile: string, name: string, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const fromSources = callerFile.endsWith('.ts');
  const entry = join(dirname(callerFile), `${name}${fromSources ? '.ts' : '.js'}`);
  const register = fromSources ? findUp(dirname(callerFile), join('bin', 'register.js')) : null;
  if (fromSources && !register) throw new Error(`${entry} is TypeScript, and no bin/register.js above it can load it`);
  const code = `${register ? `require(${JSON.stringify(register)}); ` : ''}require(${JSON.stringify(entry)});`;
  return new Worker(code, { ...options, eval: true });
}
