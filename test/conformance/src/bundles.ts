import { ChildProcess, spawn, spawnSync, SpawnSyncReturns } from 'node:child_process';
import { createServer } from 'node:net';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { join } from 'node:path';

const repository = join(__dirname, '..', '..', '..');

/** Our own CLI, as an operator runs it. */
export function arbiter(...args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [join(repository, 'bin', 'arbiter.js'), ...args], {
    cwd: repository,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
    timeout: 300_000,
  });
}

/** `arbiter start` on a free port with the simulator off, resolved once /health answers. */
export async function startArbiter(data: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = server.address() as { port: number };
      server.close(() => resolve(free));
    });
  });
  const env = { ...process.env, NODE_OPTIONS: '', ARBITER_DATA_DIR: data, ARBITER_PORT: String(port), ARBITER_SIMULATOR: 'off' };
  const child: ChildProcess = spawn(process.execPath, [join(repository, 'bin', 'arbiter.js'), 'start'], { cwd: repository, env, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`arbiter start exited ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('arbiter start did not answer /health');
    if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export function arbiterOrThrow(...args: string[]): string {
  const run = arbiter(...args);
  if (run.status !== 0) throw new Error(`arbiter ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return run.stdout;
}

/** A command's `--json` answer: its last line of output, so stray lines before it do not matter here. */
export function arbiterJson(...args: string[]) {
  return JSON.parse(arbiterOrThrow(...args).trim().split('\n').pop()!);
}

/** The parts of LEDGER-SPEC §1 and §6 the specs look at; everything else is carried as read. */
export interface LedgerRecord {
  chain: string;
  seq: number;
  type: string;
  hash: string;
  sig: string;
  body: Record<string, unknown> & { trigger?: Record<string, unknown> };
  [field: string]: unknown;
}

export interface BundleEntry {
  leaf: number;
  record: LedgerRecord;
  proof?: string[];
}

export interface Bundle {
  format: string;
  ledger: string;
  checkpoint: string;
  entries: BundleEntry[];
}

export const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export function chainsOf(bundle: Bundle): string[] {
  return [...new Set(bundle.entries.map((e) => e.record.chain))];
}

/** §5: origin, tree size and root of the checkpoint's note text. */
export function checkpointLines(note: string): { origin: string; size: number; root: string } {
  const [origin, size, root] = note.split('\n');
  return { origin, size: Number(size), root };
}

/** The entry at `seq` of a decisions chain with at least three entries, so it has one before and after it. */
export function middleOfALongChain(bundle: Bundle): BundleEntry {
  const chain = chainsOf(bundle).find(
    (c) => c.startsWith('decisions-') && bundle.entries.filter((e) => e.record.chain === c).length >= 3,
  );
  if (!chain) throw new Error('the ledger has no decisions chain of three entries');
  return bundle.entries.find((e) => e.record.chain === chain && e.record.seq === 1)!;
}

export function flipBitOfSignature(sig: string): string {
  const bytes = Buffer.from(sig, 'base64url');
  bytes[10] ^= 0x01;
  return bytes.toString('base64url');
}

/** Replaces the text of one record inside the compact JSON text of the bundle. */
export function editRecordText(bundle: Bundle, entry: BundleEntry, edit: (recordText: string) => string): string {
  const text = JSON.stringify(bundle);
  const recordText = JSON.stringify(entry.record);
  if (text.split(recordText).length !== 2) throw new Error('the record text is not unique in the bundle');
  return text.replace(recordText, edit(recordText));
}

/** C2SP signed note: the same text signed by a fresh key under the same key name, with its key id. */
export function resignedByAStranger(note: string): string {
  const text = note.slice(0, note.lastIndexOf('\n\n') + 1);
  const keyName = note.slice(note.lastIndexOf('\n\n') + 2).split(' ')[1];
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const keyId = createHash('sha256').update(Buffer.concat([Buffer.from(`${keyName}\n`), Buffer.from([0x01]), raw])).digest().subarray(0, 4);
  const signature = sign(null, Buffer.from(text), privateKey);
  return `${text}\n\u2014 ${keyName} ${Buffer.concat([keyId, signature]).toString('base64')}\n`;
}

/** The same note with its root hash line replaced and the signature left as it was. */
export function withAnotherRoot(note: string): string {
  const lines = note.split('\n');
  lines[2] = createHash('sha256').update(lines[2]).digest('base64');
  return lines.join('\n');
}
