import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { REBUILDABLE_PROJECTIONS, RebuildReport } from '@arbiter/memory';
import { configFromEnv, projectionsToRebuild, rebuildProjections } from '@arbiter/runtime';
import { ENVIRONMENT_HELP } from './start';

const HELP = `
Rebuilds from position zero of the event store into fresh tables, then swaps them in with one
transaction: readers see the old view until the swap and the whole new one after it. The
projection's lease is held throughout; a projector running elsewhere stands by and resumes from
the new checkpoint. All-in-one data directories must not be in use (stop \`npm start\` first).

Projections:
${REBUILDABLE_PROJECTIONS.map((p) => `  ${p.name.padEnd(16)} ${p.description}`).join('\n')}

Exit status: 0 when every rebuild completed, 1 when one failed, 2 on a usage error.`;

function summary(r: RebuildReport): string {
  return `${r.projection}: ${r.events} events in ${r.seconds.toFixed(1)} s (${r.eventsPerSec} events/s), checkpoint ${r.checkpoint ?? 'none (the store holds no events for it)'}`;
}

export function registerProjectionsCommand(program: Command): void {
  const projections = program.command('projections').description('The read models Arbiter derives from the event store.');
  projections
    .command('rebuild')
    .description('Rebuild projections from position zero, swapping the new tables in atomically.')
    .option('--projection <name>', `one projection (default: all): ${REBUILDABLE_PROJECTIONS.map((p) => p.name).join(', ')}`)
    .option('--data <dir>', 'data directory (default: ARBITER_DATA_DIR or ./data)')
    .option('--json', 'print one JSON object with a report per projection')
    .addHelpText('after', HELP + '\n' + ENVIRONMENT_HELP)
    .action(async (options: { projection?: string; data?: string; json?: boolean }) => {
      const config = configFromEnv(process.env, { ...(options.data ? { dataDir: options.data } : {}), simulator: 'off' });
      const selected = projectionsToRebuild(options.projection);
      const bar = process.stderr.isTTY && !options.json ? new SingleBar({ format: ' {projection} [{bar}] {percentage}% {events} events', hideCursor: true, stream: process.stderr }) : null;
      let current = '';
      const reports = await rebuildProjections(config, selected, (projection, p) => {
        if (!bar) return;
        if (projection !== current) {
          if (current) bar.stop();
          current = projection;
          bar.start(100, 0, { projection: projection.padEnd(16), events: 0 });
        }
        bar.update(Math.round(p.fraction * 100), { events: p.events });
      }).finally(() => bar?.stop());
      process.stdout.write(options.json ? JSON.stringify({ rebuilt: reports }) + '\n' : reports.map(summary).join('\n') + '\n');
    });
}
