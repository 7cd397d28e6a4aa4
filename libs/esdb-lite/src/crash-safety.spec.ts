import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EventStoreDBClient, binaryEvent } from '@eventstore/db-client';

const ROOT = resolve(__dirname, '../../..');
const STARTUP_MS = 60_000;

interface CliServer {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

/** `arbiter esdb-lite` as its own process, as a user starts it; resolves once it prints its connection string. */
function startCli(dataDir: string): Promise<CliServer> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/arbiter.js'), 'esdb-lite', '--port', '0', '--data', dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let output = '';
  return new Promise((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`esdb-lite did not start in time:\n${output}`)), STARTUP_MS);
    const look = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /esdb:\/\/\S+/.exec(output)?.[0];
      if (!url) return;
      clearTimeout(timer);
      ready({ child, url, exited });
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', look);
    void exited.then((code) => fail(new Error(`esdb-lite exited (${code}) before listening:\n${output}`)));
  });
}

interface Written {
  id: string;
  revision: bigint;
}

/** Appends one event at a time at the exact expected revision until a call fails; keeps what was acknowledged and what was not. */
async function writeUntilFailure(client: EventStoreDBClient, stream: string, acknowledged: Written[]): Promise<Written> {
  for (let revision = 0n; ; revision++) {
    const id = randomUUID();
    try {
      await client.appendToStream(stream, binaryEvent({ id, type: 'crash.test', data: Buffer.from(`${stream}#${revision}`) }), {
        expectedRevision: revision === 0n ? 'no_stream' : revision - 1n,
      });
      acknowledged.push({ id, revision });
    } catch {
      return { id, revision };
    }
  }
}

async function readStream(client: EventStoreDBClient, stream: string): Promise<Written[]> {
  const events: Written[] = [];
  for await (const resolved of client.readStream(stream)) events.push({ id: resolved.event!.id, revision: resolved.event!.revision });
  return events;
}

describe('arbiter esdb-lite as a process', () => {
  let dir: string;
  let servers: CliServer[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'esdb-lite-crash-'));
    servers = [];
  });
  afterEach(async () => {
    for (const { child, exited } of servers) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'keeps every acknowledged append through a SIGKILL mid-stream, and a retry of the unacknowledged ones duplicates nothing',
    async () => {
      const first = await startCli(dir);
      servers.push(first);
      const client = EventStoreDBClient.connectionString(first.url);
      const streams = ['crash-a', 'crash-b', 'crash-c', 'crash-d'];
      const acknowledged = new Map(streams.map((s) => [s, [] as Written[]]));
      const writers = streams.map((s) => writeUntilFailure(client, s, acknowledged.get(s)!));
      while ([...acknowledged.values()].reduce((n, a) => n + a.length, 0) < 200) await new Promise((r) => setTimeout(r, 10));
      first.child.kill('SIGKILL');
      const unacknowledged = await Promise.all(writers);
      await client.dispose();

      const second = await startCli(dir);
      servers.push(second);
      const after = EventStoreDBClient.connectionString(second.url);
      for (const [i, stream] of streams.entries()) {
        const pending = unacknowledged[i];
        await after.appendToStream(stream, binaryEvent({ id: pending.id, type: 'crash.test', data: Buffer.from(`${stream}#${pending.revision}`) }), {
          expectedRevision: pending.revision === 0n ? 'no_stream' : pending.revision - 1n,
        });
      }
      const survived = await Promise.all(streams.map((s) => readStream(after, s)));
      await after.dispose();

      for (const [i, stream] of streams.entries()) {
        const expected = [...acknowledged.get(stream)!, unacknowledged[i]];
        expect(survived[i]).toEqual(expected);
      }
    },
    120_000,
  );

  it('stops cleanly on SIGTERM', async () => {
    const server = await startCli(dir);
    servers.push(server);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 60_000);
});
