import type { Command } from 'commander';
import { bootstrapApp } from '@arbiter/runtime';
import { CliError } from '../output';
import { ENVIRONMENT_HELP } from './start';

const APPS = ['reasoner', 'projector', 'gateway'] as const;

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .argument('<app>', `one of ${APPS.join(', ')}`)
    .description('Run one app on its own (the distributed mode): each app is a separate process sharing the same stores.')
    .addHelpText('after', ENVIRONMENT_HELP)
    .action(async (app: string) => {
      if (!APPS.includes(app as (typeof APPS)[number])) throw new CliError(`unknown app "${app}"; choose one of ${APPS.join(', ')}`, 2);
      await bootstrapApp(app as (typeof APPS)[number]);
    });
}
