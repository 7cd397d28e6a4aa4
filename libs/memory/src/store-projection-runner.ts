import type { EventStore, Position, StoredEvent, Subscription } from '@arbiter/event-store';
import type { Lease, ReadModelStore, SqlExecutor } from '@arbiter/read-models';
import { Logger, silentLogger } from '@arbiter/telemetry';
import { readCheckpoint, writeCheckpoint } from './checkpoints';

const FLUSH_EVERY = 500;
const FLUSH_AFTER_MS = 20;
/** How far a batch may grow past `batchSize` while the previous one commits. */
const GROW_UP_TO = 5;
const LEASE_RETRY_MS = 2_000;
const MAX_BACKOFF_MS = 15_000;

/** How a projection applies events: a batch at a time, or one at a time. */
export type ApplyEvents =
  | { /** Applies a batch, in store order, inside the transaction that records the checkpoint. */ applyBatch: (tx: SqlExecutor, events: StoredEvent[]) => Promise<void> }
  | { apply: (tx: SqlExecutor, event: StoredEvent) => Promise<void> };

export type StoreProjectionOptions = ApplyEvents & {
  store: EventStore;
  readModels: ReadModelStore;
  projection: string;
  eventTypePrefixes: string[];
  /** Events applied per transaction at most (default 500); bigger batches rebuild faster. */
  batchSize?: number;
  /**
   * How long a batch smaller than `batchSize` waits for more events before it commits (default
   * 20 ms). 0: it commits as soon as no other batch is committing, and the events that arrive
   * meanwhile make up the next one: lowest latency, for projections someone waits on.
   */
  flushAfterMs?: number;
  /**
   * Work each batch needs done before its checkpoint moves but not inside its transaction
   * (publishing it, say): run just before the transaction opens, so the transaction stays short
   * and other statements on the engine do not wait on it. A failure fails the batch.
   */
  beforeBatch?: (events: StoredEvent[]) => Promise<void>;
  /** Told after each batch is committed: how many events it held and where it ended. */
  onBatch?: (events: number, last: Position) => void;
  /** Run in one process at a time (the others stand by), for work that must not be done twice at once. */
  exclusive?: boolean;
  logger?: Logger;
};

/**
 * Runs a catch-up subscription over the store and hands events to `apply` in batches, each
 * batch in one read-model transaction with the checkpoint, so effects are exactly once.
 *
 * It keeps running through failures: when `apply` throws (the broker it publishes to is
 * down, the database went away) or the subscription drops, it backs off and resumes from its
 * checkpoint, so an outage delays the projection and loses nothing.
 */
export class StoreProjectionRunner {
  private subscription: Subscription | null = null;
  private supervisor: Promise<void> | null = null;
  private lease: Lease | null = null;
  private buffer: StoredEvent[] = [];
  private flushing: Promise<void> = Promise.resolve();
  /** Batches handed to `flush` and not committed (or failed) yet. */
  private committing = 0;
  /** The first failed batch of this follow: no later batch may commit after it (its checkpoint would skip it). */
  private broken: Error | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastError: Error | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;
  private readonly logger: Logger;
  position: Position | 'start' = 'start';

  constructor(private readonly options: StoreProjectionOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  get projection(): string {
    return this.options.projection;
  }

  /** Resolves once the projection follows the store, or stands by for another process's lease. */
  async start(): Promise<void> {
    this.stopped = false;
    let started!: () => void;
    const ready = new Promise<void>((resolve) => (started = resolve));
    this.supervisor = this.supervise(started);
    await ready;
  }

  private async supervise(started: () => void): Promise<void> {
    let announcedStandby = false;
    for (let attempt = 0; !this.stopped; ) {
      if (this.options.exclusive && !this.lease) {
        this.lease = await this.options.readModels.tryLease(`projection:${this.projection}`).catch(() => null);
        if (!this.lease) {
          if (!announcedStandby) this.logger.info(`projection ${this.projection} runs in another process; standing by`);
          announcedStandby = true;
          started();
          await this.pause(LEASE_RETRY_MS);
          continue;
        }
        if (announcedStandby) this.logger.info(`projection ${this.projection} taken over by this process`);
      }
      try {
        await this.followOnce(started);
        attempt = 0;
      } catch (e) {
        if (this.stopped) break;
        attempt++;
        this.lastError = e as Error;
        this.logger.error(`projection ${this.projection} failed; resuming from its checkpoint`, { error: this.lastError.message, attempt });
      }
      started();
      if (!this.stopped) await this.pause(Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(attempt, 10)));
    }
    started();
  }

  /** Follows the store from the checkpoint until the subscription ends or a batch fails. */
  private async followOnce(started: () => void): Promise<void> {
    await this.flushing;
    this.broken = null;
    this.position = await readCheckpoint(this.options.readModels, this.projection);
    const subscription = this.options.store.subscribeAll({ after: this.position, filter: { eventTypePrefixes: this.options.eventTypePrefixes } });
    this.subscription = subscription;
    let leaseLost = false;
    void this.lease?.lost.then(() => {
      leaseLost = true;
      void subscription.close();
    });
    started();
    // One batch commits while the next is read and buffered: the database's work overlaps ours.
    // A projection that is behind reads on while a batch commits, so its batches grow (up to
    // GROW_UP_TO times batchSize): fewer, larger commits, each writing a row once for all the
    // events of the batch that change it (a customer's totals, say).
    const size = this.options.batchSize ?? FLUSH_EVERY;
    try {
      for await (const event of subscription) {
        this.buffer.push(event);
        if (this.buffer.length < size) this.timer ??= setTimeout(() => void this.flushWhenIdle(), this.options.flushAfterMs ?? FLUSH_AFTER_MS);
        else if (this.committing === 0) void this.flush().catch(() => undefined);
        else if (this.buffer.length >= size * GROW_UP_TO) {
          await this.flushing;
          void this.flush().catch(() => undefined);
        }
      }
      await this.flushing;
      await this.flush();
    } finally {
      this.subscription = null;
      await subscription.close();
      this.clearBuffer();
      await this.flushing;
    }
    if (leaseLost && !this.stopped) {
      this.lease = null;
      throw new Error(`lost the lease on projection ${this.projection}`);
    }
  }

  /** Once the batch being committed is done, commits what has been buffered meanwhile. */
  private async flushWhenIdle(): Promise<void> {
    await this.flushing;
    await this.flush().catch(() => undefined);
  }

  /** Applies the buffered events with the checkpoint in one transaction; a failure ends the subscription. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const events = this.buffer;
    this.buffer = [];
    this.committing++;
    const run = this.flushing.then(async () => {
      if (this.broken) throw this.broken;
      if (events.length === 0) return;
      const last = events[events.length - 1].position;
      await this.options.beforeBatch?.(events);
      await this.options.readModels.transaction(async (tx) => {
        if ('applyBatch' in this.options) await this.options.applyBatch(tx, events);
        else for (const e of events) await this.options.apply(tx, e);
        await writeCheckpoint(tx, this.projection, last);
      });
      this.position = last;
      this.lastError = null;
      this.options.onBatch?.(events.length, last);
    });
    // A failed batch is applied again after the restart from the checkpoint, so later flushes must not run.
    this.flushing = run
      .catch((e: Error) => {
        this.broken ??= e;
        this.lastError = e;
        void this.subscription?.close();
      })
      .finally(() => this.committing--);
    return run;
  }

  private clearBuffer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.buffer = [];
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => (this.wake = null));
  }

  /** True when every event the projection follows, up to now, has been applied (by whichever process runs it). */
  async caughtUp(): Promise<boolean> {
    for await (const last of this.options.store.readAll({ direction: 'backwards', maxCount: 1, filter: { eventTypePrefixes: this.options.eventTypePrefixes } })) {
      const position = await readCheckpoint(this.options.readModels, this.projection);
      return position !== 'start' && position.commit >= last.position.commit;
    }
    return true;
  }

  /** The error of the last failed attempt, until a batch is applied again; for health and logs. */
  get failed(): Error | null {
    return this.lastError;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.subscription?.close();
    await this.supervisor;
    await this.flushing;
    await this.lease?.release();
    this.lease = null;
  }
}
