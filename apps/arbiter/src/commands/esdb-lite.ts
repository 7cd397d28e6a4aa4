import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { startEsdbLite } from '@arbiter/esdb-lite';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import { CliError } from '../output';

const HELP = `
What it is:
  A development server that speaks EventStoreDB's gRPC protocol in insecure mode, keeping the
  events in the embedded store (<data>/events.db, SQLite in WAL mode, every append synced).
  EventStoreDB's clients connect to it as to EventStoreDB: appends with expected revisions,
  reads of streams and $all, catch-up subscriptions with server-side filters, soft deletes and
  tombstones. Persistent subscriptions, projections, users and operations answer UNIMPLEMENTED.

Example:
  npx arbiter esdb-lite --port 2113 --data ./data/esdb-lite
  ESDB_CONNECTION_STRING=esdb://127.0.0.1:2113?tls=false npx nx test event-store-esdb

It runs until SIGINT (Ctrl-C) or SIGTERM, then closes every call and the store.`;

function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError(`--port must be a port number from 0 to 65535 (0 picks a free one), not "${value}"`, 2);
  return n;
}

function untilStopped(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export function registerEsdbLiteCommand(program: Command): void {
  program
    .command('esdb-lite')
    .description("Serve EventStoreDB's gRPC protocol (insecure) over the embedded event store, for development and tests.")
    .option('--port <n>', 'port to listen on; 0 picks a free one', portNumber, 2113)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--data <dir>', 'data directory (default: $ARBITER_DATA_DIR/esdb-lite, or ./data/esdb-lite)')
    .addHelpText('after', HELP)
    .action(async (options: { port: number; host: string; data?: string }) => {
      const dataDir = resolve(options.data ?? join(process.env.ARBITER_DATA_DIR ?? './data', 'esdb-lite'));
      const stopped = untilStopped();
      const lite = await startEsdbLite({ store: new SqliteEventStore(join(dataDir, 'events.db')), port: options.port, host: options.host }).catch((e: Error) => {
        throw new CliError(e.message, 1);
      });
      process.stdout.write(
        [
          "esdb-lite is listening (EventStoreDB's gRPC protocol, insecure). Ctrl-C stops it.",
          `  Connect  ${lite.url}`,
          `  Data     ${join(dataDir, 'events.db')}`,
          '',
        ].join('\n'),
      );
      const signal = await stopped;
      await lite.close();
      process.stdout.write(`esdb-lite stopped (${signal})\n`);
    });
}
