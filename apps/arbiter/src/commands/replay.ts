import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { writeFileSync } from 'node:fs';
import { PolicyError } from '@arbiter/policy';
import { decisionPoints } from '@arbiter/reasoning';
import {
  REASONER_MODES, ReasonerMode, ReplayError, ReplayInterruptedError, ReplayResult, loadCandidatePolicies, renderHtmlReport, replayReport, replaySummaryText, runParameters, runReplay,
  timeRangeOf,
} from '@arbiter/replay';
import { LedgerSourceError, configFromEnv, defaultReplaySandbox, openAnalystStore, openReplaySandbox, replayModelReasoner } from '@arbiter/runtime';
import { silentLogger } from '@arbiter/telemetry';
import { CliError, nonNegativeInteger, commaList, oneLedgerSource, knownDecisionPoints } from '../output';

const HELP = `
What would these policies have done? Every recorded decision (or those the filters keep) is
replayed in ledger order: its trigger CloudEvent comes from the domain archive and is checked
against the digest the decision recorded; the customer memory and facts are those the decision
saw, from its record; the candidate policy judges the case. Nothing is written to the ledger,
the event store, the read models or the topics: the run keeps its state in a sandbox of its own.

Reasoners:
  recorded   the proposal the ledger kept (the model's raw output, or the heuristic's proposal):
             only the policy is judged again, no model is called (default)
  heuristic  the offline heuristics, afresh, inside the candidate policy's bounds
  openai     the model endpoint configured by OPENAI_BASE_URL / OPENAI_API_KEY (costs money)

The diff, per decision: outcome, action and the checks that did not pass, recorded vs candidate.
--json FILE writes every changed (or unreplayable) decision and the summary for notebooks;
--report FILE writes one self-contained HTML file (inline SVG charts, no network).

The sandbox (a directory under the OS temp directory unless --sandbox names one) journals the
run batch by batch. Ctrl-C stops after the batch in hand; the same command with --resume goes on
from there. A finished run's default sandbox is removed; a named one is kept.

Times (--from, --to) are ISO 8601 and filter on when the trigger happened; --from is inclusive,
--to exclusive.

Exit status: 0 when the replay completed (changed decisions are findings, not failures), 1 when
it could not, 2 on a usage error, 130 when interrupted (resume with --resume).`;

interface ReplayCliOptions {
  policy: string;
  data?: string;
  esdb?: string;
  from?: string;
  to?: string;
  customer: string[];
  decisionPoint: string[];
  reasoner: string;
  report?: string;
  json?: string;
  resume?: boolean;
  sandbox?: string;
  workers?: number;
}

/** Usage errors the replay library raises, as the CLI's exit status 2. */
function usage<T>(work: () => T): T {
  try {
    return work();
  } catch (e) {
    if (e instanceof PolicyError || e instanceof LedgerSourceError || (e instanceof ReplayError && (e.code === 'bad-time' || e.code === 'no-candidate-policies'))) throw new CliError(e.message, 2);
    throw e;
  }
}

function progressBar(enabled: boolean): SingleBar | null {
  if (!enabled) return null;
  const bar = new SingleBar({ format: ' replaying [{bar}] {percentage}% | {decisions} decisions', hideCursor: true, stream: process.stderr });
  bar.start(100, 0, { decisions: 0 });
  return bar;
}

async function replayCommand(options: ReplayCliOptions): Promise<void> {
  if (!REASONER_MODES.includes(options.reasoner as ReasonerMode)) throw new CliError(`--reasoner must be one of ${REASONER_MODES.join(', ')}, not "${options.reasoner}"`, 2);
  oneLedgerSource(options);
  knownDecisionPoints(options.decisionPoint);
  const reasoner = options.reasoner as ReasonerMode;
  const config = configFromEnv(process.env, { simulator: 'off' });
  const candidates = usage(() => loadCandidatePolicies(options.policy));
  const range = usage(() => timeRangeOf(options.from, options.to));
  const model = reasoner === 'openai' ? replayModelReasoner(config, silentLogger) : undefined;
  if (model === null) throw new CliError('--reasoner openai needs OPENAI_BASE_URL (an OpenAI-compatible endpoint)', 2);
  const { store, source } = usage(() => openAnalystStore(options, config));
  const filter = { customers: options.customer, decisionPoints: options.decisionPoint, range };
  const sandboxDir = options.sandbox ?? defaultReplaySandbox(runParameters({ source, reasoner, candidates, filter }));
  const sandbox = openReplaySandbox(sandboxDir, options.resume ? 'resume' : 'fresh');
  const bar = progressBar(process.stderr.isTTY === true);
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  process.once('SIGINT', onInterrupt);
  let result: ReplayResult;
  try {
    result = await runReplay({
      store, source, sandbox: sandbox.journal, candidates, reasoner, model: model ?? undefined, filter, resume: options.resume, workers: options.workers, signal: stop.signal,
      onProgress: (p) => bar?.update(Math.round(p.fraction * 100), { decisions: p.decisions }),
    });
  } catch (e) {
    bar?.stop();
    await sandbox.close();
    if (e instanceof ReplayInterruptedError) throw new CliError(`${e.message} (sandbox ${sandbox.dir})`, 130);
    if (e instanceof ReplayError && e.code === 'sandbox-mismatch') throw new CliError(`${e.message} (sandbox ${sandbox.dir})`, 2);
    throw e;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    await store.close();
  }
  bar?.stop();
  if (options.sandbox) await sandbox.close();
  else await sandbox.discard();
  const report = replayReport(result);
  if (options.json) writeFileSync(options.json, JSON.stringify(report, null, 1) + '\n');
  if (options.report) writeFileSync(options.report, renderHtmlReport(report));
  const notes = [
    result.resumed ? `resumed: ${result.decisionsThisRun} decisions replayed in this run` : options.resume ? 'no unfinished run in the sandbox: replayed from the start' : null,
    options.json ? `JSON report: ${options.json}` : null,
    options.report ? `HTML report: ${options.report}` : null,
    options.sandbox ? `sandbox kept: ${sandbox.dir}` : null,
  ].filter(Boolean);
  process.stdout.write(replaySummaryText(report) + '\n' + notes.map((n) => `  ${n}`).join('\n') + (notes.length ? '\n' : ''));
  const mismatched = report.summary.statuses['trigger-mismatch'];
  if (mismatched) process.stderr.write(`arbiter: warning: ${mismatched} archived trigger(s) do not match the digest their decision recorded; see the report\n`);
}

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('Replay recorded decisions under candidate policies in a sandbox, and report what would have changed.')
    .requiredOption('--policy <file|dir>', 'the candidate policies: a directory of policy files, or one file (decision points it does not govern are not replayed)')
    .option('--data <dir>', 'the data directory to read (default: ARBITER_DATA_DIR or ./data); only read')
    .option('--esdb <url>', 'read EventStoreDB instead of a data directory')
    .option('--from <time>', 'only triggers that happened at or after this time')
    .option('--to <time>', 'only triggers that happened before this time')
    .option('--customer <id>', 'only this customer\'s decisions (repeatable, or comma-separated)', commaList, [])
    .option('--decision-point <point>', `only this decision point (repeatable): ${decisionPoints.map((p) => p.id).join(', ')}`, commaList, [])
    .option('--reasoner <mode>', `where proposals come from: ${REASONER_MODES.join(', ')}`, 'recorded')
    .option('--report <file>', 'write the HTML report here')
    .option('--json <file>', 'write the report as JSON here')
    .option('--resume', 'go on with the run this command started before and did not finish')
    .option('--sandbox <dir>', 'keep the run\'s state here (default: a directory under the OS temp directory, removed when done)')
    .option('--workers <n>', 'worker threads for recorded and heuristic replays (default: one per idle core, by the load average, for stores of more than 50,000 events; 0: none)', nonNegativeInteger('--workers'))
    .addHelpText('after', HELP)
    .action(replayCommand);
}
