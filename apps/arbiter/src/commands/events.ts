import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Position } from '@arbiter/event-store';
import { decisionPoints } from '@arbiter/reasoning';
import { EXPORT_KINDS, ExportKind, ReplayError, csvHeader, csvLine, exportRows, ndjsonLine, timeRangeOf } from '@arbiter/replay';
import { LedgerSourceError, configFromEnv, openAnalystStore } from '@arbiter/runtime';
import { CliError, commaList, oneLedgerSource, knownDecisionPoints } from '../output';

const HELP = `
Writes the archived domain events (CloudEvents, as they came off the topics) and the recorded
decisions, in the store's global order, to a file: NDJSON (one JSON object a line, decisions with
their signed ledger record) or CSV (one row each, the columns of both kinds; data as JSON).

Filters: --from/--to on when things happened (a domain event's time, a decision's trigger time;
--from inclusive, --to exclusive), --customer (the CloudEvent subject, the decision's chain),
--decision-point (its decisions, and the domain events that trigger it). The store is only read.

Exit status: 0 when the file is written, 1 when it could not be, 2 on a usage error.`;

interface ExportOptions {
  data?: string;
  esdb?: string;
  type: string;
  from?: string;
  to?: string;
  customer: string[];
  decisionPoint: string[];
  format: string;
  out: string;
  json?: boolean;
}

async function exportCommand(options: ExportOptions): Promise<void> {
  if (!EXPORT_KINDS.includes(options.type as ExportKind)) throw new CliError(`--type must be one of ${EXPORT_KINDS.join(', ')}, not "${options.type}"`, 2);
  if (options.format !== 'ndjson' && options.format !== 'csv') throw new CliError(`--format must be ndjson or csv, not "${options.format}"`, 2);
  oneLedgerSource(options);
  knownDecisionPoints(options.decisionPoint);
  let range;
  let opened: ReturnType<typeof openAnalystStore>;
  try {
    range = timeRangeOf(options.from, options.to);
    opened = openAnalystStore(options, configFromEnv(process.env, { simulator: 'off' }));
  } catch (e) {
    if (e instanceof ReplayError || e instanceof LedgerSourceError) throw new CliError(e.message, 2);
    throw e;
  }
  const { store } = opened;
  const head = await store.headPosition();
  const bar = process.stderr.isTTY && !options.json ? new SingleBar({ format: ' exporting [{bar}] {percentage}% | {rows} rows', hideCursor: true, stream: process.stderr }) : null;
  bar?.start(100, 0, { rows: 0 });
  const out = createWriteStream(options.out);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  const counts = { domain: 0, decision: 0 };
  let lastShown = 0;
  const onPosition = (p: Position) => {
    if (!bar || !head || head.commit === 0n || Date.now() - lastShown < 100) return;
    lastShown = Date.now();
    bar.update(Math.min(100, Number((p.commit * 100n) / head.commit)), { rows: counts.domain + counts.decision });
  };
  try {
    if (options.format === 'csv') await write(csvHeader());
    for await (const row of exportRows(store, { kind: options.type as ExportKind, range, customers: options.customer, decisionPoints: options.decisionPoint }, onPosition)) {
      counts[row.kind]++;
      await write(options.format === 'csv' ? csvLine(row) : ndjsonLine(row));
    }
    out.end();
    await once(out, 'finish');
  } catch (e) {
    out.destroy();
    throw e;
  } finally {
    bar?.stop();
    await store.close();
  }
  const summary = { out: options.out, format: options.format, domainEvents: counts.domain, decisions: counts.decision };
  process.stdout.write(options.json ? JSON.stringify(summary) + '\n' : `wrote ${options.out}: ${counts.domain} domain events and ${counts.decision} decisions (${options.format})\n`);
}

export function registerEventsCommand(program: Command): void {
  const events = program.command('events').description('The domain events and decisions kept in the event store.');
  events
    .command('export')
    .description('Export domain events and decisions, filtered, as NDJSON or CSV.')
    .option('--data <dir>', 'the data directory to read (default: ARBITER_DATA_DIR or ./data); only read')
    .option('--esdb <url>', 'read EventStoreDB instead of a data directory')
    .option('--type <kind>', `what to export: ${EXPORT_KINDS.join(', ')}`, 'all')
    .option('--from <time>', 'only what happened at or after this time')
    .option('--to <time>', 'only what happened before this time')
    .option('--customer <id>', 'only this customer (repeatable, or comma-separated)', commaList, [])
    .option('--decision-point <point>', `only this decision point (repeatable): ${decisionPoints.map((p) => p.id).join(', ')}`, commaList, [])
    .requiredOption('--format <format>', 'ndjson or csv')
    .requiredOption('--out <file>', 'where to write')
    .option('--json', 'print what was written as JSON')
    .addHelpText('after', HELP)
    .action(exportCommand);
}
