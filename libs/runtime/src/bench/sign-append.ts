import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { systemClock } from '@arbiter/clock';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import { FileKeyStore } from '@arbiter/key-store-file';
import { ChainWriter } from '@arbiter/ledger';

export interface SignAppendResult {
  bench: 'sign-append';
  entries: number;
  concurrency: number;
  store: string;
  runs: { seconds: number; entriesPerSec: number }[];
  /** Medians of the runs. */
  seconds: number;
  entriesPerSec: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Signing and appending decisions through the ChainWriter into a fresh embedded store (SQLite,
 * every commit synced as in production), with a key from a file key store, `concurrency`
 * chains written at once.
 */
export async function benchSignAppend(options: { entries: number; runs?: number; concurrency?: number; onProgress?: (done: number, total: number) => void }): Promise<SignAppendResult> {
  const runs = options.runs ?? 3;
  const concurrency = options.concurrency ?? 16;
  const results: SignAppendResult['runs'] = [];
  for (let run = 0; run < runs; run++) {
    const dir = mkdtempSync(join(tmpdir(), 'arbiter-bench-sign-'));
    const store = new SqliteEventStore(join(dir, 'events.db'));
    try {
      const signer = await new FileKeyStore(join(dir, 'keys')).signer('reasoner');
      const writer = new ChainWriter(store, 'bench', systemClock);
      let next = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async (_, lane) => {
          for (let n = next++; n < options.entries; n = next++) {
            await writer.append({
              chain: `decisions-cus_${lane}_${n % 50}`, type: 'decision', signer, eventId: randomUUID(),
              body: { decisionId: randomUUID(), decisionPoint: 'order.fulfillment', trigger: { eventId: `e${n}`, type: 'order.placed' }, verdict: { outcome: 'approved', checks: [] }, action: { type: 'fulfill.ship-from', params: { warehouseId: 'wh-ams' } } },
            });
            if (n % 500 === 0) options.onProgress?.(run * options.entries + n, runs * options.entries);
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      results.push({ seconds: Number(seconds.toFixed(2)), entriesPerSec: Math.round(options.entries / seconds) });
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return {
    bench: 'sign-append',
    entries: options.entries,
    concurrency,
    store: 'embedded (SQLite, synchronous=FULL)',
    runs: results,
    seconds: median(results.map((r) => r.seconds)),
    entriesPerSec: median(results.map((r) => r.entriesPerSec)),
  };
}
