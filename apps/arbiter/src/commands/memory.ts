import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { LedgerSourceError, configFromEnv, openAnalystStore, openScratchReadModels } from '@arbiter/runtime';
import { ReplayError, foldHistoryAsOf, knownCustomers, memoryAsOf, parseTime } from '@arbiter/replay';
import { CliError, positiveInteger, commaList, oneLedgerSource } from '../output';

const HELP = `
Rebuilds customer memory as it stood at a moment: every archived domain event that happened at or
before --time (its CloudEvent time, or when the bus took it) and every decision about a trigger
that happened by then are folded, in store order and with the projector's own code, into a
throwaway read-model database in a temporary directory, which is removed afterwards. The data
directory is only read: its read models, ledger and topics are not touched.

With --customer, prints that customer's memory as a decision made at --time would have read it
(all sections); without, the customers known at that time.

Exit status: 0 when the memory was rebuilt (and every customer asked for was known), 1 when a
customer asked for was unknown at that time, 2 on a usage error.`;

interface MemoryAsOfOptions {
  time: string;
  customer: string[];
  data?: string;
  esdb?: string;
  json?: boolean;
  limit: number;
}

async function memoryAsOfCommand(options: MemoryAsOfOptions): Promise<void> {
  let asOf: number;
  try {
    asOf = parseTime(options.time, '--time');
  } catch (e) {
    if (e instanceof ReplayError) throw new CliError(e.message, 2);
    throw e;
  }
  oneLedgerSource(options);
  let opened: ReturnType<typeof openAnalystStore>;
  try {
    opened = openAnalystStore(options, configFromEnv(process.env, { simulator: 'off' }));
  } catch (e) {
    if (e instanceof LedgerSourceError) throw new CliError(e.message, 2);
    throw e;
  }
  const scratch = await openScratchReadModels();
  const bar = process.stderr.isTTY && !options.json ? new SingleBar({ format: ' folding [{bar}] {percentage}% | {events} events', hideCursor: true, stream: process.stderr }) : null;
  bar?.start(100, 0, { events: 0 });
  try {
    const folded = await foldHistoryAsOf(opened.store, scratch.readModels, asOf, { onProgress: (p) => bar?.update(Math.round(p.fraction * 100), { events: p.events }) });
    bar?.stop();
    if (options.customer.length === 0) {
      const known = await knownCustomers(scratch.readModels, options.limit);
      if (options.json) process.stdout.write(JSON.stringify({ ...folded, source: opened.source, ...known }) + '\n');
      else {
        const lines = [`as of ${folded.asOf}: ${known.total} customers known from ${folded.events} events and ${folded.decisions} decisions (${folded.later} later events left out)`];
        for (const c of known.customers) lines.push(`  ${c.customerId.padEnd(24)} ${String(c.events).padStart(6)} events ${String(c.orders).padStart(5)} orders  lifetime ${c.lifetimeValueCents} cents  first seen ${c.firstSeen ?? '—'}`);
        if (known.total > known.customers.length) lines.push(`  … and ${known.total - known.customers.length} more (--limit)`);
        process.stdout.write(lines.join('\n') + '\n');
      }
      return;
    }
    const memories = [];
    for (const customer of options.customer) memories.push(await memoryAsOf(scratch.readModels, customer, asOf));
    if (options.json) process.stdout.write(JSON.stringify({ ...folded, source: opened.source, memories }) + '\n');
    else process.stdout.write(memories.map((m) => `${m.customerId} as of ${folded.asOf}${m.known ? '' : ' (unknown at that time)'}:\n${JSON.stringify(m, null, 2)}`).join('\n') + '\n');
    const unknown = memories.filter((m) => !m.known).map((m) => m.customerId);
    if (unknown.length) throw new CliError(`not known as of ${folded.asOf}: ${unknown.join(', ')}`, 1);
  } finally {
    bar?.stop();
    await opened.store.close();
    await scratch.discard();
  }
}

export function registerMemoryCommand(program: Command): void {
  const memory = program.command('memory').description('Customer memory, rebuilt from the event store.');
  memory
    .command('as-of')
    .description('Rebuild customer memory as it stood at a given time, in a throwaway sandbox, and print it.')
    .requiredOption('--time <time>', 'the moment (ISO 8601, e.g. 2026-06-01T12:00:00Z); events at or before it are folded')
    .option('--customer <id>', 'print this customer\'s memory (repeatable, or comma-separated)', commaList, [])
    .option('--data <dir>', 'the data directory to read (default: ARBITER_DATA_DIR or ./data); only read')
    .option('--esdb <url>', 'read EventStoreDB instead of a data directory')
    .option('--limit <n>', 'without --customer: how many customers to list', positiveInteger('--limit'), 50)
    .option('--json', 'print one JSON object')
    .addHelpText('after', HELP)
    .action(memoryAsOfCommand);
}
