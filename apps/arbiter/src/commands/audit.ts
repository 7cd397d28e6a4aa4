import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { existsSync, readFileSync } from 'node:fs';
import type { EventStore } from '@arbiter/event-store';
import {
  ConsistencyEvidence, ExportError, FileWitness, LedgerSource, LedgerVerification, MalformedError, bundleSource, exportBundle, parseStrictJson,
  publicKeyFromDidKey, storeSource, verifyLedger,
} from '@arbiter/ledger';
import { LedgerSourceError, configFromEnv, openLedgerStore } from '@arbiter/runtime';
import { CliError, nonNegativeInteger, oneLedgerSource } from '../output';

const VERIFY_HELP = `
Checks everything LEDGER-SPEC §7 names and reports every failure it finds: I-JSON and record
shape, hashes, strict Ed25519 signatures (on every core), who may sign what and when (chain
keys, signed by the trusted root), chain sequence and links, one decision per trigger and
decision point, the Merkle root against every checkpoint, checkpoint signatures, inclusion
proofs (bundles), and — with --witness-dir — rollback and fork against the last checkpoint
verified, keeping both signed notes as evidence in <dir>/evidence/.

Exit status: 0 when everything verifies, 1 when anything fails, 2 on a usage or I/O error.
`;

interface VerifyOptions {
  data?: string;
  esdb?: string;
  bundle?: string;
  trust: string;
  json?: boolean;
  witnessDir?: string;
  consistency?: string;
  workers?: number;
}

/** A consistency proof as GET /v1/ledger/proofs/consistency serves it: {"from", "to", "proof": [base64…]}. */
function readConsistency(file: string): ConsistencyEvidence {
  try {
    const value = parseStrictJson(readFileSync(file, 'utf8')) as { from?: unknown; to?: unknown; proof?: unknown };
    const hashes = Array.isArray(value.proof) ? value.proof.map((h) => (typeof h === 'string' ? Buffer.from(h, 'base64') : null)) : null;
    if (typeof value.from !== 'number' || typeof value.to !== 'number' || !hashes || hashes.some((h) => !h || h.length !== 32)) throw new Error('expected {"from": n, "to": n, "proof": [base64 SHA-256 hashes]}');
    return { from: value.from, to: value.to, proof: hashes.map((h) => new Uint8Array(h!)) };
  } catch (e) {
    throw new CliError(`--consistency ${file}: ${(e as Error).message}`, 2);
  }
}

function openSource(options: { data?: string; esdb?: string; bundle?: string }): { source: LedgerSource; store: EventStore | null } {
  const given = (['data', 'esdb', 'bundle'] as const).filter((k) => options[k] !== undefined);
  if (given.length !== 1) throw new CliError('give exactly one of --data DIR, --esdb URL, --bundle FILE', 2);
  if (options.bundle !== undefined) {
    if (!existsSync(options.bundle)) throw new CliError(`no bundle at ${options.bundle}`, 2);
    return { source: bundleSource(options.bundle), store: null };
  }
  try {
    const store = openLedgerStore(options.data !== undefined ? { data: options.data } : { esdb: options.esdb! });
    return { source: storeSource(store), store };
  } catch (e) {
    if (e instanceof LedgerSourceError) throw new CliError(e.message, 2);
    throw e;
  }
}

function assertTrustRoot(did: string): void {
  try {
    publicKeyFromDidKey(did);
  } catch (e) {
    if (e instanceof MalformedError) throw new CliError(`--trust: ${e.message}`, 2);
    throw e;
  }
}

function progressBar(enabled: boolean) {
  if (!enabled) return null;
  const bar = new SingleBar({ format: ' verifying [{bar}] {percentage}% | {entries} entries', hideCursor: true, stream: process.stderr });
  bar.start(100, 0, { entries: 0 });
  return bar;
}

function summary(result: LedgerVerification): string {
  const { report } = result;
  const cp = report.checkpoint ? `checkpoint of ${report.checkpoint.size} leaves, root ${report.checkpoint.root}` : 'no checkpoint';
  const lines = [
    report.ok
      ? `OK: ${report.entries} entries in ${report.chains} chains verify; ${cp}`
      : `FAILED: ${report.failures.length} failure(s) in ${report.entries} entries (${report.chains} chains); ${cp}`,
  ];
  for (const f of report.failures.slice(0, 200)) {
    const where = f.chain !== undefined ? ` ${f.chain}#${f.seq ?? '?'}` : '';
    lines.push(`  ${f.code.padEnd(20)}${where}${f.leaf !== undefined ? ` (leaf ${f.leaf})` : ''}: ${f.message}`);
  }
  if (report.failures.length > 200) lines.push(`  … and ${report.failures.length - 200} more (--json lists them all)`);
  return lines.join('\n');
}

function witnessNote(result: LedgerVerification): string | null {
  const w = result.witness;
  if (!w) return null;
  const state = {
    first: 'witness: the first checkpoint seen for this log is kept',
    advanced: 'witness: the newer checkpoint extends the witnessed one and is kept',
    unchanged: 'witness: the same checkpoint as last time',
    'not-advanced': `witness: state kept as it was (${w.reason})`,
  }[w.state];
  return [state, ...w.evidenceFiles.map((f) => `witness: evidence kept in ${f}`)].join('\n');
}

async function verifyCommand(options: VerifyOptions): Promise<void> {
  assertTrustRoot(options.trust);
  if (options.consistency && !options.witnessDir) throw new CliError('--consistency goes with --witness-dir: it proves a checkpoint extends the witnessed one', 2);
  const consistency = options.consistency ? readConsistency(options.consistency) : undefined;
  const { source, store } = openSource(options);
  const bar = progressBar(process.stderr.isTTY && !options.json);
  let result: LedgerVerification;
  try {
    result = await verifyLedger(source, {
      trustRoot: options.trust,
      witness: options.witnessDir ? new FileWitness(options.witnessDir) : undefined,
      consistency,
      workers: options.workers,
      onProgress: (p) => bar?.update(Math.round(p.fraction * 100), { entries: p.entries }),
    });
  } catch (e) {
    throw new CliError(`could not read the ledger: ${(e as Error).message}`, 2);
  } finally {
    bar?.stop();
    await store?.close();
  }
  process.stdout.write(options.json ? JSON.stringify(result.report) + '\n' : summary(result) + '\n');
  const note = witnessNote(result);
  if (note) process.stderr.write(note + '\n');
  if (!result.report.ok) throw new CliError('', 1);
}

interface ExportOptions {
  all?: boolean;
  customer?: string;
  data?: string;
  esdb?: string;
  out: string;
  json?: boolean;
}

async function exportCommand(options: ExportOptions): Promise<void> {
  if (!options.all === !options.customer) throw new CliError('give --all or --customer ID', 2);
  oneLedgerSource(options);
  const data = options.data ?? (options.esdb ? undefined : configFromEnv(process.env).dataDir);
  let store: EventStore;
  try {
    store = openLedgerStore(data !== undefined ? { data } : { esdb: options.esdb! });
  } catch (e) {
    if (e instanceof LedgerSourceError) throw new CliError(e.message, 2);
    throw e;
  }
  try {
    const result = await exportBundle(store, { scope: options.all ? { all: true } : { customer: options.customer! }, out: options.out });
    process.stdout.write(
      options.json
        ? JSON.stringify({ out: options.out, ...result }) + '\n'
        : `wrote ${options.out}: ${result.entries} entries of ${result.chains.length} chains, covered by the checkpoint of ${result.checkpoint.size} leaves (root ${result.checkpoint.root})\n`,
    );
    if (!result.rootMatches) throw new CliError("the store's records do not hash to its latest checkpoint's root: the bundle is written, and audit verify will say what is wrong", 1);
  } catch (e) {
    if (e instanceof ExportError) throw new CliError(`${e.message} (${e.code})`, e.code === 'no-such-customer' ? 2 : 1);
    throw e;
  } finally {
    await store.close();
  }
}

export function registerAuditCommand(program: Command): void {
  const audit = program.command('audit').description('Verify the ledger, and export offline proof bundles for auditors (LEDGER-SPEC §6–7).');

  audit
    .command('verify')
    .description('Verify a ledger against the operator\'s root did:key: an event store (--data, --esdb) or a proof bundle (--bundle).')
    .option('--data <dir>', 'a data directory (its embedded event store)')
    .option('--esdb <url>', 'an EventStoreDB connection string, e.g. esdb://127.0.0.1:2113?tls=false')
    .option('--bundle <file>', 'an arbiter.bundle/1 file')
    .requiredOption('--trust <did>', "the operator's root did:key: the only trust anchor")
    .option('--json', 'print the LEDGER-SPEC §7 report as one JSON object')
    .option('--witness-dir <dir>', 'keep the last verified checkpoint per log here, and check the next one extends it')
    .option('--consistency <file>', 'a consistency proof from the witnessed checkpoint to the presented one (what GET /v1/ledger/proofs/consistency returns), for a partial bundle')
    .option('--workers <n>', 'worker threads for signature checks (default: one per core; 0: none)', nonNegativeInteger('--workers'))
    .addHelpText('after', VERIFY_HELP)
    .action(verifyCommand);

  audit
    .command('export')
    .description('Write an arbiter.bundle/1 of what the latest checkpoint covers: every chain, or one customer\'s decisions with chains keys and policies, whole from seq 0, with inclusion proofs.')
    .option('--all', 'every chain (the verifier recomputes the root; no proofs needed)')
    .option('--customer <id>', "one customer's chain decisions-<id>, plus keys and policies, each entry with its inclusion proof")
    .option('--data <dir>', 'the data directory (default: ARBITER_DATA_DIR or ./data)')
    .option('--esdb <url>', 'read EventStoreDB instead of a data directory')
    .requiredOption('--out <file>', 'where to write the bundle')
    .option('--json', 'print what was written as JSON')
    .addHelpText('after', '\nExit status: 0 when the bundle is written, 1 when the store cannot back it (no checkpoint yet, or records that do not match it), 2 on a usage error.')
    .action(exportCommand);
}
