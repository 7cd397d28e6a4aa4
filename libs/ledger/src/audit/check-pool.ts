import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { moduleWorker } from '@arbiter/threads';
import type { CheckRequest, CheckResponse, CheckedItems } from './check-worker';
import { checkBatch } from './check-worker';
import { unpackChecks } from './packed-checks';

export type CheckedBatch = CheckedItems;

/** Checks batches of records: on worker threads, or in this thread when there are none. */
export interface Checker {
  /** How many batches it works on at once. */
  readonly parallelism: number;
  /** `entries`: the items are bundle entries, not bare records. */
  check(items: (Uint8Array | string)[], entries?: boolean): Promise<CheckedBatch>;
  close(): Promise<void>;
}

/** Items in one transferable buffer; text (the embedded store's records) is encoded straight into it. */
function pack(id: number, records: (Uint8Array | string)[], entries: boolean): CheckRequest {
  let bound = 0;
  for (const r of records) bound += typeof r === 'string' ? 3 * r.length : r.length;
  // Never from Buffer's shared pool: the buffer is transferred to the worker.
  const bytes = Buffer.allocUnsafeSlow(bound);
  const offsets = new Uint32Array(records.length + 1);
  let at = 0;
  records.forEach((r, i) => {
    if (typeof r === 'string') at += bytes.write(r, at);
    else {
      bytes.set(r, at);
      at += r.length;
    }
    offsets[i + 1] = at;
  });
  return { id, entries, bytes: bytes.buffer, offsets };
}

/** This thread only: for small ledgers, where starting workers costs more than it saves. */
export const inThreadChecker: Checker = {
  parallelism: 1,
  check: async (items, entries = false) => checkBatch(pack(0, items, entries)),
  close: async () => undefined,
};

/** One worker per core; each batch goes to the worker with the fewest batches in hand. */
export class CheckPool implements Checker {
  private readonly pending = new Map<number, { resolve: (r: CheckedBatch) => void; reject: (e: Error) => void; worker: number }>();
  private readonly load: number[];
  private nextId = 1;
  private failure: Error | null = null;

  private constructor(private readonly workers: Worker[]) {
    this.load = workers.map(() => 0);
    workers.forEach((worker, index) => {
      worker.on('message', (response: CheckResponse) => this.settle(response, index));
      worker.on('error', (e) => this.abort(e));
      worker.on('exit', (code) => code !== 0 && this.abort(new Error(`a verification worker exited with code ${code}`)));
    });
  }

  static start(size = availableParallelism()): CheckPool {
    const env: NodeJS.ProcessEnv = { ...process.env, ARBITER_CHECK_WORKER: '1' };
    return new CheckPool(Array.from({ length: Math.max(1, size) }, () => moduleWorker(__filename, 'check-worker', { env })));
  }

  get parallelism(): number {
    return this.workers.length;
  }

  check(items: (Uint8Array | string)[], entries = false): Promise<CheckedBatch> {
    if (this.failure) return Promise.reject(this.failure);
    const worker = this.load.indexOf(Math.min(...this.load));
    const request = pack(this.nextId++, items, entries);
    this.load[worker]++;
    return new Promise((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject, worker });
      this.workers[worker].postMessage(request, [request.bytes, request.offsets.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private settle(response: CheckResponse, worker: number): void {
    const waiting = this.pending.get(response.id);
    if (!waiting) return;
    this.pending.delete(response.id);
    this.load[worker]--;
    waiting.resolve({ checks: unpackChecks(response.checks), leafHashes: new Uint8Array(response.leafHashes), entries: response.entries });
  }

  private abort(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}
