import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { testBrokers } from '@arbiter/bus-kafka/testing';
import { benchIngest } from '@arbiter/runtime';
import { CliError, positiveInteger } from '../output';

const BENCHES = ['ingest'] as const;

export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .argument('<name>', `one of ${BENCHES.join(', ')}`)
    .description('Measure a performance target; the last line printed is one JSON object.')
    .option('--events <n>', 'how many events', positiveInteger('--events'), 50_000)
    .addHelpText('after', '\ningest: domain events from a real Kafka broker (KAFKA_BROKERS, or the local one it starts) into customer memory.')
    .action(async (name: string, options: { events: number }) => {
      if (!BENCHES.includes(name as (typeof BENCHES)[number])) throw new CliError(`unknown benchmark "${name}"; choose one of ${BENCHES.join(', ')}`, 2);
      const bar = process.stderr.isTTY ? new SingleBar({ format: ' ingest [{bar}] {value}/{total} events', stream: process.stderr }) : null;
      bar?.start(options.events, 0);
      const result = await benchIngest(testBrokers(), options.events, (done) => bar?.update(done)).finally(() => bar?.stop());
      process.stdout.write(JSON.stringify(result) + '\n');
    });
}
