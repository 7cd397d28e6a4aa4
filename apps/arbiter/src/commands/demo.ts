import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { DemoReport, configFromEnv, createNestLogger, runDemo } from '@arbiter/runtime';
import { CliError, positiveInteger } from '../output';

function printSummary(r: DemoReport): void {
  const lines = [
    `${r.ok ? 'OK' : 'FAILED'}: ${r.events} events, ${r.decisions} of ${r.decisionsExpected} decisions in the ledger (${r.newDecisions} new) in ${(r.elapsedMs / 1000).toFixed(1)} s`,
    `  outcomes      ${Object.entries(r.outcomes).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`,
    `  ledger        ${r.ledger.entries} entries in ${r.ledger.chains} chains, ${r.verification.ok ? 'every signature and link verifies' : `${r.verification.failures.length} verification failure(s)`}`,
    `  data          ${r.dataDir}`,
    `  root did:key  ${r.rootDid}`,
  ];
  for (const f of r.verification.failures.slice(0, 10)) lines.push(`  ! ${f.code} ${f.chain ?? ''}#${f.seq ?? ''}: ${f.message}`);
  process.stdout.write(lines.join('\n') + '\n');
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('Feed N simulated events through the all-in-one pipeline, wait until every decision is made, relayed and projected, then verify the ledger.')
    .requiredOption('--events <n>', 'how many simulated events to publish', positiveInteger('--events'))
    .option('--data <dir>', 'data directory (default: ARBITER_DATA_DIR or ./data)')
    .option('--seed <n>', 'simulator seed: the same seed gives the same events', positiveInteger('--seed'), 42)
    .option('--timeout <seconds>', 'give up after this long', positiveInteger('--timeout'), 600)
    .option('--json', 'print the report as one JSON object')
    .option('--verbose', 'print the service logs')
    .addHelpText('after', '\nExit status: 0 when every decision is made and the ledger verifies, 1 otherwise, 2 on a usage error.')
    .action(async (options: { events: number; data?: string; seed: number; timeout: number; json?: boolean; verbose?: boolean }) => {
      const config = configFromEnv(process.env, { ...(options.data ? { dataDir: options.data } : {}), simulator: 'off' });
      const bar = process.stderr.isTTY && !options.json ? new SingleBar({ format: ' {phase} [{bar}] {value}/{total} events', hideCursor: true, stream: process.stderr }) : null;
      let phase = '';
      const report = await runDemo(config, {
        events: options.events,
        seed: options.seed,
        timeoutMs: options.timeout * 1000,
        logger: options.verbose ? createNestLogger(process.stdout.isTTY ? 'pretty' : 'json') : createNestLoggerErrorsOnly(),
        onProgress: (p) => {
          if (!bar) return;
          if (p.phase !== phase) {
            if (phase) bar.stop();
            phase = p.phase;
            bar.start(p.total, p.done, { phase: p.phase.padEnd(10) });
          } else bar.update(p.done);
        },
      }).finally(() => bar?.stop());
      if (options.json) process.stdout.write(JSON.stringify(report) + '\n');
      else printSummary(report);
      if (!report.ok) throw new CliError('', 1);
    });
}

function createNestLoggerErrorsOnly() {
  const logger = createNestLogger('json');
  logger.setLogLevels(['error', 'fatal']);
  return logger;
}
