import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = resolve(__dirname, '../../../../bin/arbiter.js');
const STARTUP_MS = 60_000;

export interface EsdbLiteProcess {
  url: string;
  stop(): Promise<void>;
}

/**
 * `arbiter esdb-lite` in its own process on a fresh data directory: answers then arrive over
 * the network, as from EventStoreDB, not within one turn of the test's event loop.
 */
export function startEsdbLiteProcess(): Promise<EsdbLiteProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-esdb-lite-process-'));
  const child: ChildProcess = spawn(process.execPath, [CLI, 'esdb-lite', '--port', '0', '--data', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  return new Promise((ready, fail) => {
    let output = '';
    const timer = setTimeout(() => void stop().then(() => fail(new Error(`esdb-lite did not start in time:\n${output}`))), STARTUP_MS);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /esdb:\/\/\S+/.exec(output)?.[0];
      if (!url) return;
      clearTimeout(timer);
      ready({ url, stop });
    });
    void exited.then(() => fail(new Error(`esdb-lite exited before listening:\n${output}`)));
  });
}
