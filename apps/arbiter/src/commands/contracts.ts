import type { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJsonSchemas } from '@arbiter/contracts';

export function registerContractsCommand(program: Command): void {
  const contracts = program.command('contracts').description('The event contracts service teams publish against.');
  contracts
    .command('export')
    .description('Write a JSON Schema (draft 2020-12) per event type, for services not written in TypeScript.')
    .requiredOption('--out <dir>', 'directory to write <type>.schema.json files into')
    .option('--json', 'print the list of files written as JSON')
    .action((options: { out: string; json?: boolean }) => {
      mkdirSync(options.out, { recursive: true });
      const files: string[] = [];
      for (const [type, schema] of Object.entries(exportJsonSchemas())) {
        const file = join(options.out, `${type}.schema.json`);
        writeFileSync(file, JSON.stringify(schema, null, 2) + '\n');
        files.push(file);
      }
      process.stdout.write(options.json ? JSON.stringify({ files }) + '\n' : files.map((f) => `wrote ${f}`).join('\n') + '\n');
    });
}
