import type { Worker } from 'node:worker_threads';
import { TextEvent, positionToString } from '@arbiter/event-store';
import { moduleWorker } from '@arbiter/threads';
import type { TriggerArchive } from '../recorded/trigger-archive';
import type { BatchOutcome } from './case-replay';
import type { CaseExecutor } from './case-executor';
import { ReplayWorkerSetup, TriggerLookup, WorkerRequest, WorkerResponse } from './replay-worker';

interface Waiting {
  resolve: (response: WorkerResponse) => void;
  reject: (e: Error) => void;
}

/**
 * Replays on worker threads, one batch per worker at a time: the worker reads the records, this
 * thread fetches the triggers from the archive in ledger order, the worker judges. Reading the
 * store and the archive stays on this thread, so the store is only ever read through its port.
 */
export class WorkerPoolExecutor implements CaseExecutor {
  // Small: a worker holds a batch's parsed records while this thread fetches their triggers, and
  // every young-generation collection in between copies them; 256 spent a quarter of the CPU in GC.
  readonly batchSize = 64;
  private readonly waiting = new Map<number, Waiting>();
  private readonly idle: number[];
  private readonly queue: ((worker: number) => void)[] = [];
  private lookups: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private failure: Error | null = null;

  private constructor(
    private readonly workers: Worker[],
    private readonly archive: TriggerArchive,
  ) {
    this.idle = workers.map((_, i) => i);
    workers.forEach((worker) => {
      worker.on('message', (response: WorkerResponse) => this.settle(response));
      worker.on('error', (e) => this.abort(e));
      worker.on('exit', (code) => code !== 0 && this.abort(new Error(`a replay worker exited with code ${code}`)));
    });
  }

  static start(size: number, setup: Omit<ReplayWorkerSetup, 'arbiterReplayWorker'>, archive: TriggerArchive): WorkerPoolExecutor {
    const workerData: ReplayWorkerSetup = { ...setup, arbiterReplayWorker: true };
    return new WorkerPoolExecutor(Array.from({ length: Math.max(1, size) }, () => moduleWorker(__filename, 'replay-worker', { workerData })), archive);
  }

  get parallelism(): number {
    return this.workers.length;
  }

  async run(batch: TextEvent[]): Promise<BatchOutcome> {
    const worker = await this.acquire();
    try {
      const id = this.nextId++;
      const read = await this.request(worker, { kind: 'read', id, records: batch.map((e) => e.data), positions: batch.map((e) => positionToString(e.position)) });
      const lookups = (read as Extract<WorkerResponse, { kind: 'read' }>).lookups;
      const fetching = this.lookups.then(() => this.fetchTriggers(lookups));
      this.lookups = fetching;
      const judged = await this.request(worker, { kind: 'judge', id, triggers: await fetching });
      return (judged as Extract<WorkerResponse, { kind: 'judge' }>).outcome;
    } finally {
      this.release(worker);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private async fetchTriggers(lookups: TriggerLookup[]): Promise<(string | null)[]> {
    const found: (string | null)[] = [];
    for (const lookup of lookups) found.push(lookup ? await this.archive.findText(lookup) : null);
    return found;
  }

  private acquire(): Promise<number> {
    const worker = this.idle.pop();
    return worker !== undefined ? Promise.resolve(worker) : new Promise((resolve) => this.queue.push(resolve));
  }

  private release(worker: number): void {
    const next = this.queue.shift();
    if (next) next(worker);
    else this.idle.push(worker);
  }

  private request(worker: number, request: WorkerRequest): Promise<WorkerResponse> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.set(request.id * 2 + (request.kind === 'judge' ? 1 : 0), { resolve, reject });
      this.workers[worker].postMessage(request);
    });
  }

  private settle(response: WorkerResponse): void {
    const key = response.id * 2 + (response.kind === 'judge' ? 1 : 0);
    if (response.kind === 'failed') {
      for (const k of [response.id * 2, response.id * 2 + 1]) {
        this.waiting.get(k)?.reject(new Error(`a replay worker failed: ${response.message}`));
        this.waiting.delete(k);
      }
      return;
    }
    const waiting = this.waiting.get(key);
    this.waiting.delete(key);
    waiting?.resolve(response);
  }

  private abort(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.waiting.values()) waiting.reject(error);
    this.waiting.clear();
  }
}
