import { createPublicKey, KeyObject, verify } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import { bundleSource, entryOf, fromBase64Url, parseRecord, publicKeyFromDidKey, signingInput, storeSource, verifyLedger } from '@arbiter/ledger';
import { ledgerFixture } from './ledger-fixture';

export interface VerifyRun {
  seconds: number;
  entriesPerSec: number;
  nativeVerifyPerSecPerCore: number;
  /** Native verify on every core at once, for context: cores do not always add up (shared hosts, SMT). */
  nativeVerifyPerSecAllCores: number;
}

export interface VerifyBenchResult {
  bench: 'verify';
  source: 'store' | 'bundle';
  entries: number;
  recordBytes: number;
  runs: VerifyRun[];
  /** Medians of the runs. */
  seconds: number;
  entriesPerSec: number;
  nativeVerifyPerSecPerCore: number;
  cores: number;
  /** entriesPerSec / (nativeVerifyPerSecPerCore × cores): the share of the machine's native Ed25519 rate. */
  ratio: number;
  nativeVerifyPerSecAllCores: number;
  /** entriesPerSec / nativeVerifyPerSecAllCores: the share of what native verify reaches on every core at once here. */
  ratioToAllCores: number;
  ok: boolean;
}

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

interface Sample {
  key: KeyObject;
  message: Uint8Array;
  signature: Uint8Array;
}

/** Signing inputs, signatures and keys of the ledger's own records: what "native rate" is measured on. */
async function samples(store: SqliteEventStore, count: number): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const { data } of storeSource(store).leaves()) {
    const record = parseRecord(Buffer.from(data).toString('utf8'));
    const key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKeyFromDidKey(record.signer)]), format: 'der', type: 'spki' });
    out.push({ key, message: signingInput(entryOf(record)), signature: fromBase64Url(record.sig) });
    if (out.length >= count) break;
  }
  return out;
}

/** Node's native Ed25519 verify (OpenSSL), on one core, over the given records. */
function nativeRate(sampled: Sample[], ms: number): number {
  let n = 0;
  const started = performance.now();
  while (performance.now() - started < ms) {
    const s = sampled[n % sampled.length];
    if (!verify(null, s.message, s.key, s.signature)) throw new Error('a sample record does not verify');
    n++;
  }
  return n / ((performance.now() - started) / 1000);
}

/** The same native verify on `threads` worker threads at once, summed. */
async function nativeRateAllCores(sampled: Sample[], threads: number, ms: number): Promise<number> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { createPublicKey, verify } = require('node:crypto');
    const samples = workerData.samples.map((s) => ({ key: createPublicKey({ key: Buffer.from(s.key), format: 'der', type: 'spki' }), message: s.message, signature: s.signature }));
    let n = 0;
    const started = performance.now();
    while (performance.now() - started < workerData.ms) {
      const s = samples[n % samples.length];
      verify(null, s.message, s.key, s.signature);
      n++;
    }
    parentPort.postMessage(n / ((performance.now() - started) / 1000));`;
  const samples = sampled.slice(0, 500).map((s) => ({ key: s.key.export({ format: 'der', type: 'spki' }), message: s.message, signature: s.signature }));
  const rates = await Promise.all(
    Array.from({ length: threads }, () => {
      const worker = new Worker(code, { eval: true, workerData: { samples, ms } });
      return new Promise<number>((resolve, reject) => {
        worker.once('message', (rate: number) => void worker.terminate().then(() => resolve(rate)));
        worker.once('error', reject);
      });
    }),
  );
  return rates.reduce((a, b) => a + b, 0);
}

/**
 * Verification of a cached, signed ledger of `entries` records (signatures, links, Merkle root
 * against its checkpoint) on every core, next to the native Ed25519 verify rate of one core
 * measured in the same run, before each verification.
 */
export async function benchVerify(options: { entries: number; source: 'store' | 'bundle'; runs?: number; onProgress?: (done: number, total: number) => void }): Promise<VerifyBenchResult> {
  const fixture = await ledgerFixture(options.entries, (done, total) => options.onProgress?.(done, total));
  const runs = options.runs ?? 3;
  const cores = availableParallelism();
  const store = new SqliteEventStore(join(fixture.store, 'events.db'));
  const results: VerifyRun[] = [];
  let ok = true;
  try {
    const sampled = await samples(store, 2_000);
    for (let run = 0; run < runs; run++) {
      const native = nativeRate(sampled, 3_000);
      const allCores = await nativeRateAllCores(sampled, cores, 3_000);
      const started = performance.now();
      const { report } = await verifyLedger(options.source === 'store' ? storeSource(store) : bundleSource(fixture.bundle), {
        trustRoot: fixture.trustRoot,
        workers: cores,
        onProgress: (p) => options.onProgress?.(run * fixture.entries + p.entries, runs * fixture.entries),
      });
      const seconds = (performance.now() - started) / 1000;
      ok &&= report.ok && report.entries === fixture.entries && report.checkpoint?.size === fixture.entries;
      results.push({
        seconds: Number(seconds.toFixed(2)),
        entriesPerSec: Math.round(report.entries / seconds),
        nativeVerifyPerSecPerCore: Math.round(native),
        nativeVerifyPerSecAllCores: Math.round(allCores),
      });
    }
  } finally {
    await store.close();
  }
  const entriesPerSec = median(results.map((r) => r.entriesPerSec));
  const nativeVerifyPerSecPerCore = median(results.map((r) => r.nativeVerifyPerSecPerCore));
  const nativeVerifyPerSecAllCores = median(results.map((r) => r.nativeVerifyPerSecAllCores));
  return {
    bench: 'verify',
    source: options.source,
    entries: fixture.entries,
    recordBytes: fixture.recordBytes,
    runs: results,
    seconds: median(results.map((r) => r.seconds)),
    entriesPerSec,
    nativeVerifyPerSecPerCore,
    cores,
    ratio: Number((entriesPerSec / (nativeVerifyPerSecPerCore * cores)).toFixed(3)),
    nativeVerifyPerSecAllCores,
    ratioToAllCores: Number((entriesPerSec / nativeVerifyPerSecAllCores).toFixed(3)),
    ok,
  };
}
