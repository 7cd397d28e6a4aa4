import Database from 'better-sqlite3';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDataDir } from './harness';

const root = join(__dirname, '..', '..', '..');
const arbiter = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'bin', 'arbiter.js'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 300_000 });

interface Report {
  ok: boolean;
  entries: number;
  chains: number;
  checkpoint: { size: number; root: string } | null;
  failures: { code: string; chain?: string; seq?: number; leaf?: number; message: string }[];
}

/** The CLI without blocking this process: esdb-lite, spawned by the test, has to keep answering meanwhile. */
function arbiterAsync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'arbiter.js'), ...args], { cwd: root, env: { ...process.env, NODE_OPTIONS: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

/** An EventStoreDB-protocol server over `dir`, on a free port. */
async function startEsdbLite(dir: string): Promise<{ server: ChildProcess; url: string }> {
  const server = spawn(process.execPath, [join(root, 'bin', 'arbiter.js'), 'esdb-lite', '--port', '0', '--data', dir], { cwd: root, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    server.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = /esdb:\/\/\S+/.exec(output)?.[0];
      if (found) resolve(found);
    });
    server.once('exit', () => reject(new Error(`esdb-lite exited: ${output}`)));
  });
  return { server, url };
}

const codes = (report: Report) => [...new Set(report.failures.map((f) => f.code))].sort();

describe('auditing through the CLI', () => {
  let data: string;
  let out: string;
  let trust: string;
  let customer: string;

  beforeAll(() => {
    data = freshDataDir();
    out = mkdtempSync(join(tmpdir(), 'arbiter-audit-'));
    const demo = arbiter('demo', '--events', '300', '--data', data, '--json');
    expect(demo.status).toBe(0);
    const report = JSON.parse(demo.stdout);
    trust = report.rootDid;
    expect(report.verification.checkpoint.size).toBe(report.ledger.entries);
    const all = arbiter('audit', 'export', '--all', '--data', data, '--out', join(out, 'all.json'), '--json');
    expect(all.status).toBe(0);
    customer = /"chain":"decisions-([^"]+)"/.exec(readFileSync(join(out, 'all.json'), 'utf8'))![1];
    expect(arbiter('audit', 'export', '--customer', customer, '--data', data, '--out', join(out, 'customer.json')).status).toBe(0);
  }, 600_000);

  it('waits in the demo until a checkpoint covers every decision, and verifies the data directory against it', () => {
    const run = arbiter('audit', 'verify', '--data', data, '--trust', trust, '--json');
    expect(run.status).toBe(0);
    const report: Report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ ok: true, failures: [] });
    expect(report.checkpoint!.size).toBe(report.entries);
  });

  it('verifies both exported bundles offline, with exit status 0 and the LEDGER-SPEC §7 report', () => {
    const all = arbiter('audit', 'verify', '--bundle', join(out, 'all.json'), '--trust', trust, '--json');
    const one = arbiter('audit', 'verify', '--bundle', join(out, 'customer.json'), '--trust', trust, '--json');
    expect([all.status, one.status]).toEqual([0, 0]);
    const full: Report = JSON.parse(all.stdout);
    const partial: Report = JSON.parse(one.stdout);
    expect(Object.keys(full)).toEqual(['ok', 'entries', 'chains', 'checkpoint', 'failures']);
    expect(full).toMatchObject({ ok: true, checkpoint: { size: full.entries } });
    expect(partial).toMatchObject({ ok: true, checkpoint: full.checkpoint });
    expect(partial.entries).toBeLessThan(full.entries);
  });

  it('prints a summary without --json', () => {
    const run = arbiter('audit', 'verify', '--bundle', join(out, 'customer.json'), '--trust', trust);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^OK: \d+ entries in 3 chains verify; checkpoint of \d+ leaves, root /);
  });

  it('exits 1 with bad-signature and hash-mismatch for a decision edited in a bundle', () => {
    const text = readFileSync(join(out, 'all.json'), 'utf8');
    const edited = text.replace(/"outcome":"approved"/, '"outcome":"rejected"');
    expect(edited).not.toBe(text);
    writeFileSync(join(out, 'edited.json'), edited);
    const run = arbiter('audit', 'verify', '--bundle', join(out, 'edited.json'), '--trust', trust, '--json');
    expect(run.status).toBe(1);
    expect(codes(JSON.parse(run.stdout))).toEqual(['bad-signature', 'hash-mismatch']);
  });

  it('exits 1 with inclusion-proof for a customer bundle whose proof was altered', () => {
    const text = readFileSync(join(out, 'customer.json'), 'utf8');
    const hash = /"proof":\["([^"]+)"/.exec(text)![1];
    const flipped = Buffer.from(hash, 'base64');
    flipped[3] ^= 0x01;
    writeFileSync(join(out, 'proof.json'), text.replace(hash, flipped.toString('base64')));
    const run = arbiter('audit', 'verify', '--bundle', join(out, 'proof.json'), '--trust', trust, '--json');
    expect(run.status).toBe(1);
    expect(codes(JSON.parse(run.stdout))).toEqual(['inclusion-proof']);
  });

  it('exits 1 with bad-signature for a signature bit flipped in the data directory', () => {
    const copy = freshDataDir();
    copyFileSync(join(data, 'events.db'), join(copy, 'events.db'));
    const db = new Database(join(copy, 'events.db'));
    const row = db.prepare("SELECT position, data FROM events WHERE type = 'arbiter.ledger.v1.decision' LIMIT 1 OFFSET 7").get() as { position: number; data: Buffer };
    const record = JSON.parse(row.data.toString());
    const sig = Buffer.from(record.sig, 'base64url');
    sig[40] ^= 0x02;
    db.prepare('UPDATE events SET data = ? WHERE position = ?').run(Buffer.from(row.data.toString().replace(record.sig, sig.toString('base64url'))), row.position);
    db.close();
    const run = arbiter('audit', 'verify', '--data', copy, '--trust', trust, '--json');
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout).failures).toEqual([expect.objectContaining({ code: 'bad-signature', chain: record.chain, seq: record.seq })]);
  });

  it('exits 1 with unknown-signer under another root', () => {
    const other = arbiter('keys', 'init-root', '--root-dir', join(out, 'other-root'), '--json');
    const run = arbiter('audit', 'verify', '--bundle', join(out, 'customer.json'), '--trust', JSON.parse(other.stdout).did, '--json');
    expect(run.status).toBe(1);
    expect(codes(JSON.parse(run.stdout))).toContain('unknown-signer');
  });

  it('keeps witness state: a rolled-back ledger exits 1 with rollback, and both notes are kept', () => {
    const witness = join(out, 'witness');
    const older = freshDataDir();
    cpSync(data, older, { recursive: true });
    expect(arbiter('demo', '--events', '60', '--seed', '7', '--data', data, '--json').status).toBe(0);
    expect(arbiter('audit', 'verify', '--data', data, '--trust', trust, '--witness-dir', witness).status).toBe(0);
    const run = arbiter('audit', 'verify', '--data', older, '--trust', trust, '--witness-dir', witness, '--json');
    expect(run.status).toBe(1);
    expect(codes(JSON.parse(run.stdout))).toEqual(['rollback', 'truncated']);
    expect(run.stderr).toMatch(/evidence kept in .*rollback/);
  });

  it('verifies the same ledger through the EventStoreDB protocol (--esdb), as an auditor of the distributed mode would', async () => {
    const served = freshDataDir();
    copyFileSync(join(data, 'events.db'), join(served, 'events.db'));
    const { server, url } = await startEsdbLite(served);
    try {
      const viaEsdb = await arbiterAsync(['audit', 'verify', '--esdb', url, '--trust', trust, '--json']);
      expect(viaEsdb.status).toBe(0);
      const direct = JSON.parse(arbiter('audit', 'verify', '--data', served, '--trust', trust, '--json').stdout);
      expect(JSON.parse(viaEsdb.stdout)).toEqual(direct);
    } finally {
      server.kill('SIGTERM');
    }
  });

  it('answers usage and I/O errors with exit status 2', () => {
    expect(arbiter('audit', 'verify', '--trust', trust).status).toBe(2);
    expect(arbiter('audit', 'verify', '--bundle', join(out, 'missing.json'), '--trust', trust).status).toBe(2);
    expect(arbiter('audit', 'verify', '--data', data, '--trust', 'did:key:z6Mknope').status).toBe(2);
    expect(arbiter('audit', 'export', '--data', data, '--out', join(out, 'x.json')).status).toBe(2);
  });
});

describe('keys through the CLI', () => {
  it('runs a service under an operator root: init-root pins it, it refuses to start until its keys are registered, rotation keeps old entries verifying', () => {
    const rootDir = join(mkdtempSync(join(tmpdir(), 'arbiter-root-')), 'root');
    const data = freshDataDir();
    const init = arbiter('keys', 'init-root', '--root-dir', rootDir, '--data', data, '--json');
    expect(init.status).toBe(0);
    const trust = JSON.parse(init.stdout).did;
    expect(readFileSync(join(data, 'keys', 'root.did'), 'utf8').trim()).toBe(trust);

    const refused = arbiter('demo', '--events', '20', '--data', data);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/keys register/);

    for (const [name, roles] of [['reasoner', 'decide'], ['operator', 'policy,review'], ['reviewer', 'review'], ['notary', 'checkpoint']]) {
      expect(arbiter('keys', 'register', '--data', data, '--root-dir', rootDir, '--name', name, '--roles', roles).status).toBe(0);
    }
    expect(arbiter('demo', '--events', '80', '--data', data).status).toBe(0);
    const before = JSON.parse(arbiter('keys', 'show', '--data', data, '--name', 'reasoner', '--json').stdout).keys[0];
    const rotated = arbiter('keys', 'rotate', '--data', data, '--root-dir', rootDir, '--name', 'reasoner', '--json');
    expect(rotated.status).toBe(0);
    expect(JSON.parse(rotated.stdout)).toMatchObject({ previous: before.did, roles: ['decide'] });
    expect(arbiter('demo', '--events', '80', '--seed', '9', '--data', data).status).toBe(0);
    const verify = arbiter('audit', 'verify', '--data', data, '--trust', trust, '--json');
    expect(verify.status).toBe(0);
    expect(arbiter('keys', 'show', '--data', data, '--name', 'reasoner').stdout).toMatch(/registered: decide/);
  }, 300_000);

  it('keeps chain keys in EventStoreDB for the distributed mode: register there, and the service signs into it', async () => {
    const rootDir = join(mkdtempSync(join(tmpdir(), 'arbiter-root-')), 'root');
    const data = freshDataDir();
    const { server, url } = await startEsdbLite(freshDataDir());
    try {
      const trust = JSON.parse(arbiter('keys', 'init-root', '--root-dir', rootDir, '--data', data, '--json').stdout).did;
      const refused = await arbiterAsync(['demo', '--events', '20', '--data', data], { ESDB_CONNECTION_STRING: url });
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toMatch(/keys register[\s\S]*ESDB_CONNECTION_STRING/);

      for (const [name, roles] of [['reasoner', 'decide'], ['operator', 'policy,review'], ['reviewer', 'review'], ['notary', 'checkpoint']]) {
        expect((await arbiterAsync(['keys', 'register', '--data', data, '--esdb', url, '--root-dir', rootDir, '--name', name, '--roles', roles])).status).toBe(0);
      }
      const shown = await arbiterAsync(['keys', 'show', '--data', data, '--name', 'reasoner', '--json'], { ESDB_CONNECTION_STRING: url });
      expect(JSON.parse(shown.stdout).keys[0].roles).toEqual(['decide']);
      expect(existsSync(join(data, 'events.db'))).toBe(false);

      expect((await arbiterAsync(['demo', '--events', '40', '--data', data], { ESDB_CONNECTION_STRING: url })).status).toBe(0);
      const verify = await arbiterAsync(['audit', 'verify', '--esdb', url, '--trust', trust, '--json']);
      expect(verify.status).toBe(0);
      expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, failures: [] });
    } finally {
      server.kill('SIGTERM');
    }
  }, 300_000);

  it('refuses to register a small-order key', () => {
    const data = freshDataDir();
    expect(arbiter('demo', '--events', '5', '--data', data).status).toBe(0);
    const identity = 'did:key:z6MkeXATEjyXENzBXBxgC5EHk2JE5aqd7qMGGtDpLUH1e2Sj';
    const run = arbiter('keys', 'register', '--data', data, '--name', 'mallory', '--roles', 'decide', '--key', identity);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/small order|bad-key/);
  });
});
