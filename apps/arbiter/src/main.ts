import 'reflect-metadata';
import { Command } from 'commander';
import { registerAuditCommand } from './commands/audit';
import { registerBenchCommand } from './commands/bench';
import { registerContractsCommand } from './commands/contracts';
import { registerDemoCommand } from './commands/demo';
import { registerEventsCommand } from './commands/events';
import { registerKeysCommand } from './commands/keys';
import { registerMemoryCommand } from './commands/memory';
import { registerPolicyCommand } from './commands/policy';
import { registerReviewsCommand } from './commands/reviews';
import { registerEsdbLiteCommand } from './commands/esdb-lite';
import { registerProjectionsCommand } from './commands/projections';
import { registerReplayCommand } from './commands/replay';
import { registerServeCommand } from './commands/serve';
import { registerStartCommand } from './commands/start';
import { CliError, exitOnError } from './output';

const program = new Command('arbiter')
  .description(
    'Arbiter: bounded, reasoned decisions for your services, each recorded as a signed, hash-chained ledger entry.\n' +
      'Configuration comes from environment variables (see `arbiter start --help`).',
  )
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) })
  .exitOverride((e) => {
    throw e.exitCode === 0 ? e : new CliError(e.message, 2);
  });

registerStartCommand(program);
registerServeCommand(program);
registerDemoCommand(program);
registerProjectionsCommand(program);
registerContractsCommand(program);
registerBenchCommand(program);
registerKeysCommand(program);
registerAuditCommand(program);
registerPolicyCommand(program);
registerReviewsCommand(program);
registerEsdbLiteCommand(program);
registerReplayCommand(program);
registerMemoryCommand(program);
registerEventsCommand(program);

program.parseAsync(process.argv).catch(exitOnError);
