import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { BENCHES } from '../benches';
import { CliError, positiveInteger } from '../output';

export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .argument('<name>', `one of ${BENCHES.map((b) => b.name).join(', ')}`)
    .description('Measure a performance target; the last line printed is one JSON object.')
    .option('--events <n>', 'how much work (events, decisions or entries; each bench has its default)', positiveInteger('--events'))
    .addHelpText('after', '\n' + BENCHES.map((b) => `${b.name}: ${b.summary}`).join('\n'))
    .action(async (name: string, options: { events?: number }) => {
      const bench = BENCHES.find((b) => b.name === name);
      if (!bench) throw new CliError(`unknown benchmark "${name}"; choose one of ${BENCHES.map((b) => b.name).join(', ')}`, 2);
      const bar = process.stderr.isTTY ? new SingleBar({ format: ` ${name} [{bar}] {value}/{total}`, stream: process.stderr }) : null;
      let started = false;
      const result = await bench
        .run({
          events: options.events,
          progress: (done, total) => {
            if (!bar) return;
            if (started) {
              bar.setTotal(total);
              bar.update(done);
            } else bar.start(total, done);
            started = true;
          },
        })
        .finally(() => bar?.stop());
      process.stdout.write(JSON.stringify(result) + '\n');
    });
}
