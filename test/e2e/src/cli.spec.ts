import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshDataDir } from './harness';

const root = join(__dirname, '..', '..', '..');
const arbiter = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'bin', 'arbiter.js'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 180_000 });

describe('the arbiter CLI', () => {
  it('runs the demo: every decision made, the ledger verified, a JSON report, exit 0', () => {
    const data = freshDataDir();
    const run = arbiter('demo', '--events', '120', '--data', data, '--json');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ ok: true, events: 120, verification: { ok: true, failures: [] } });
    expect(report.decisions).toBe(report.decisionsExpected);
    expect(report.rootDid).toBe(readFileSync(join(data, 'keys', 'root.did'), 'utf8').trim());

    const again = JSON.parse(arbiter('demo', '--events', '120', '--data', data, '--json').stdout);
    expect(again).toMatchObject({ ok: true, newDecisions: 0, decisions: report.decisions });
  });

  it('explains itself with --help', () => {
    const help = arbiter('--help');
    expect(help.status).toBe(0);
    for (const command of ['start', 'serve', 'demo', 'contracts']) expect(help.stdout).toContain(command);
    expect(arbiter('start', '--help').stdout).toContain('ARBITER_API_KEY');
  });

  it('answers a usage error with a message and exit status 2', () => {
    const run = arbiter('demo', '--events', 'many');
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--events must be a positive integer/);
    expect(arbiter('teleport').status).toBe(2);
  });

  it('refuses an invalid configuration with the variable that is wrong', () => {
    const run = spawnSync(process.execPath, [join(root, 'bin', 'arbiter.js'), 'demo', '--events', '1'], {
      cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', ARBITER_LEDGER_ID: 'Not Valid!' },
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/ARBITER_LEDGER_ID/);
  });
});
