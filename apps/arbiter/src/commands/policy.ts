import type { Command } from 'commander';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ChainWriter } from '@arbiter/ledger';
import { LoadedPolicy, PolicyBook, loadPolicyTests, parsePolicy, publishPolicies, runPolicyTests } from '@arbiter/policy';
import { Platform, bootstrapKeys, configFromEnv } from '@arbiter/runtime';
import { silentLogger } from '@arbiter/telemetry';
import { CliError } from '../output';

const policiesDir = (dir?: string) => resolve(dir ?? process.env.ARBITER_POLICIES_DIR ?? './policies');

interface LintResult {
  file: string;
  ok: boolean;
  policy?: { id: string; version: number; decisionPoint: string; digest: string };
  problem?: string;
}

/** Every policy file on its own, so one bad file does not hide the others' problems. */
function lintDirectory(dir: string): { results: LintResult[]; loaded: LoadedPolicy[] } {
  const results: LintResult[] = [];
  const loaded: LoadedPolicy[] = [];
  for (const name of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    const file = join(dir, name);
    try {
      const p = parsePolicy(readFileSync(file, 'utf8'), file);
      loaded.push(p);
      results.push({ file, ok: true, policy: { id: p.document.policyId, version: p.document.version, decisionPoint: p.document.decisionPoint, digest: p.digest } });
    } catch (e) {
      results.push({ file, ok: false, problem: (e as Error).message });
    }
  }
  try {
    new PolicyBook(loaded);
  } catch (e) {
    results.push({ file: dir, ok: false, problem: (e as Error).message });
  }
  try {
    loadPolicyTests(dir);
  } catch (e) {
    results.push({ file: join(dir, 'tests'), ok: false, problem: (e as Error).message });
  }
  return { results, loaded };
}

export function registerPolicyCommand(program: Command): void {
  const policy = program.command('policy').description('The operator\'s policy documents: check them, run their tests, publish them to the ledger.');

  policy
    .command('lint')
    .description('Validate every policy (schema, CEL expressions, fallback within bounds, one policy per decision point) and its test files.')
    .option('--dir <dir>', 'policies directory (default: ARBITER_POLICIES_DIR or ./policies)')
    .option('--json', 'print one JSON object')
    .addHelpText('after', '\nExit status: 0 when every policy is usable, 1 when any is not.')
    .action((options: { dir?: string; json?: boolean }) => {
      const { results } = lintDirectory(policiesDir(options.dir));
      const ok = results.every((r) => r.ok);
      if (options.json) process.stdout.write(JSON.stringify({ ok, results }) + '\n');
      else {
        for (const r of results) {
          process.stdout.write(r.ok ? `ok    ${r.file}  ${r.policy!.id} v${r.policy!.version} (${r.policy!.decisionPoint})  digest ${r.policy!.digest}\n` : `FAIL  ${r.problem}\n`);
        }
      }
      if (!ok) throw new CliError('', 1);
    });

  policy
    .command('test')
    .description('Run the policy unit tests in <policies>/tests/*.yaml: given an event, memory and a proposal, the expected verdict.')
    .option('--dir <dir>', 'policies directory (default: ARBITER_POLICIES_DIR or ./policies)')
    .option('--json', 'print one JSON object')
    .addHelpText('after', '\nExit status: 0 when every case passes, 1 when any fails.')
    .action((options: { dir?: string; json?: boolean }) => {
      const dir = policiesDir(options.dir);
      const results = runPolicyTests(PolicyBook.load(dir), loadPolicyTests(dir));
      const failed = results.filter((r) => !r.ok);
      if (options.json) {
        process.stdout.write(JSON.stringify({ ok: failed.length === 0, passed: results.length - failed.length, failed: failed.length, results: results.map(({ verdict: _v, ...r }) => r) }) + '\n');
      } else {
        for (const r of results) {
          process.stdout.write(`${r.ok ? 'pass' : 'FAIL'}  ${r.policyId}: ${r.name}\n`);
          for (const p of r.problems) process.stdout.write(`        ${p}\n`);
        }
        process.stdout.write(`${results.length - failed.length} passed, ${failed.length} failed\n`);
      }
      if (results.length === 0) throw new CliError(`no policy tests in ${join(dir, 'tests')}`, 1);
      if (failed.length) throw new CliError('', 1);
    });

  policy
    .command('publish')
    .description('Write a signed `policy` entry to chain `policies` for every policy version not yet published (Arbiter also does this on start).')
    .option('--dir <dir>', 'policies directory (default: ARBITER_POLICIES_DIR or ./policies)')
    .option('--data <dir>', 'data directory (default: ARBITER_DATA_DIR or ./data); Arbiter must not be running on it')
    .option('--json', 'print one JSON object')
    .addHelpText('after', '\nA version already published with another document is refused: publish changes as a new version.')
    .action(async (options: { dir?: string; data?: string; json?: boolean }) => {
      const dir = policiesDir(options.dir);
      const book = PolicyBook.load(dir);
      const config = configFromEnv(process.env, { ...(options.data ? { dataDir: options.data } : {}), policiesDir: dir });
      const platform = await Platform.open(config, silentLogger);
      try {
        const writer = new ChainWriter(platform.store, config.ledgerId, platform.clock);
        const keys = await bootstrapKeys(platform, writer);
        const { published } = await publishPolicies(writer, keys.operator, book.all());
        const policies = book.all().map((p) => ({ id: p.document.policyId, version: p.document.version, digest: p.digest, published: published.includes(`${p.document.policyId}@${p.document.version}`) }));
        if (options.json) process.stdout.write(JSON.stringify({ published, policies }) + '\n');
        else for (const p of policies) process.stdout.write(`${p.published ? 'published' : 'unchanged'}  ${p.id} v${p.version}  digest ${p.digest}\n`);
      } finally {
        await platform.close();
      }
    });
}
