import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Row } from '@arbiter/read-models';

type Request = { op: 'query'; sql: string; params: unknown[]; tx?: number } | { op: 'copy'; sql: string; text: string; tx?: number } | { op: 'begin'; tx: number } | { op: 'end'; tx: number; commit: boolean } | { op: 'close' };
type Reply = { id: number; rows: Row[] } | { id: number; error: Record<string, unknown> & { message: string } };

/** An error the engine raised, with its PostgreSQL fields (`code`, `detail`, …) as the engine gave them. */
export class EngineError extends Error {
  code?: string;
  constructor(fields: Record<string, unknown> & { message: string }) {
    super(fields.message);
    Object.assign(this, fields);
  }
}

/** A transaction on the engine's thread: its statements, and COPYs, run in it in the order sent. */
export interface EngineTransaction {
  query<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]>;
  copy(sql: string, text: string): Promise<void>;
}

/**
 * The embedded engine on a worker thread of its own (engine-thread.mjs), seen from the host: a
 * statement is a message and its rows the reply. The engine's work then runs beside the host's
 * (reading the bus, the event store, folding the next batch) instead of taking turns with it on
 * one thread. The worker holds the process open only while a request is waiting on it.
 */
export class EngineThread {
  private readonly pending = new Map<number, { resolve: (rows: Row[]) => void; reject: (e: Error) => void }>();
  private requests = 0;
  private transactions = 0;
  private stopped: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: Reply) => this.settle(reply));
    worker.on('error', (e) => this.stop(new Error(`the embedded read-model engine failed: ${e.message}`)));
    worker.on('exit', (code) => this.stop(new Error(`the embedded read-model engine stopped (exit ${code})`)));
    worker.unref();
  }

  /** Starts the engine on `dataDir`; resolves once it is ready for statements. */
  static async start(dataDir: string): Promise<EngineThread> {
    const worker = new Worker(join(__dirname, 'engine-thread.mjs'), { workerData: { dataDir } });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', (m: { ready: boolean; error?: { message: string } }) => (m.ready ? resolve() : reject(new Error(`the embedded read-model engine did not start: ${m.error?.message}`))));
      worker.once('error', reject);
    }).catch(async (e) => {
      await worker.terminate();
      throw e;
    });
    return new EngineThread(worker);
  }

  /** A statement outside any transaction, or in transaction `tx` when given. */
  query<T extends Row = Row>(sql: string, params: unknown[] = [], tx?: number): Promise<T[]> {
    return this.call({ op: 'query', sql, params, tx }) as Promise<T[]>;
  }

  /** Runs a `COPY … FROM '/dev/blob'` statement with `text` as its input. */
  async copy(sql: string, text: string, tx?: number): Promise<void> {
    await this.call({ op: 'copy', sql, text, tx });
  }

  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  async transaction<T>(work: (tx: EngineTransaction) => Promise<T>): Promise<T> {
    const tx = ++this.transactions;
    await this.call({ op: 'begin', tx });
    let result: T;
    try {
      result = await work({ query: <R extends Row>(sql: string, params: unknown[] = []) => this.query<R>(sql, params, tx), copy: (sql, text) => this.copy(sql, text, tx) });
    } catch (e) {
      await this.call({ op: 'end', tx, commit: false }).catch(() => undefined);
      throw e;
    }
    await this.call({ op: 'end', tx, commit: true });
    return result;
  }

  async close(): Promise<void> {
    if (this.stopped) return;
    await this.call({ op: 'close' });
    this.stop(new Error('the embedded read-model engine is closed'));
    await this.worker.terminate();
  }

  private call(request: Request): Promise<Row[]> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = ++this.requests;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...request });
    });
  }

  private settle(reply: Reply): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if ('error' in reply) waiting.reject(new EngineError(reply.error));
    else waiting.resolve(reply.rows);
  }

  private stop(reason: Error): void {
    if (this.stopped) return;
    this.stopped = reason;
    for (const waiting of this.pending.values()) waiting.reject(reason);
    this.pending.clear();
  }
}
