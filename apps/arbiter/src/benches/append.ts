import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient, binaryEvent } from '@eventstore/db-client';
import type { Bench } from './bench';

/** Writers at once, each on its own stream, as reasoners appending to many customers' chains. */
const CONCURRENCY = 64;
const PAYLOAD_BYTES = 512;
const CLI = join(__dirname, '../../../../bin/arbiter.js');

interface Server {
  url: string;
  stop(): Promise<void>;
}

/** `arbiter esdb-lite` in its own process, as it is deployed: the server's syncs to disk do not stall the client. */
function startServer(dataDir: string): Promise<Server> {
  const child = spawn(process.execPath, [CLI, 'esdb-lite', '--port', '0', '--data', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /esdb:\/\/\S+/.exec(output)?.[0];
      if (url) resolve({ url, stop: () => (child.kill('SIGTERM'), exited) });
    });
    void exited.then(() => reject(new Error(`esdb-lite exited before listening:\n${output}`)));
  });
}

/**
 * One event per append at the exact expected revision (how decisions are appended), through
 * the official client, into a fresh esdb-lite that syncs every commit to disk.
 */
async function benchAppend(events: number, progress: (done: number, total: number) => void): Promise<object> {
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-bench-append-'));
  const server = await startServer(dir);
  const client = EventStoreDBClient.connectionString(server.url);
  const payload = Buffer.alloc(PAYLOAD_BYTES, 'x');
  let done = 0;
  const writer = async (stream: string, count: number) => {
    for (let revision = 0n; revision < BigInt(count); revision++) {
      await client.appendToStream(stream, binaryEvent({ id: randomUUID(), type: 'bench.appended', data: payload }), {
        expectedRevision: revision === 0n ? 'no_stream' : revision - 1n,
      });
      if (++done % 500 === 0) progress(done, events);
    }
  };
  try {
    await writer('bench-warm-up', 100);
    done = 0;
    const started = process.hrtime.bigint();
    await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => writer(`bench-${i}`, Math.floor(events / CONCURRENCY) + (i < events % CONCURRENCY ? 1 : 0))));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    progress(events, events);
    return {
      bench: 'append',
      events,
      seconds: Number(seconds.toFixed(3)),
      eventsPerSec: Math.round(events / seconds),
      concurrency: CONCURRENCY,
      eventsPerAppend: 1,
      payloadBytes: PAYLOAD_BYTES,
      server: 'arbiter esdb-lite, own process, every commit synced',
    };
  } finally {
    await client.dispose();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const appendBench: Bench = {
  name: 'append',
  summary: 'esdb-lite append throughput through the official EventStoreDB client: single-event appends at exact expected revisions, 64 streams at once, every commit synced',
  run: ({ events = 20_000, progress }) => benchAppend(events, progress),
};
