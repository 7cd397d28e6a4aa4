import { Batch, Bus, Consumer, consumeWithRestarts } from '@arbiter/bus';
import { ContractViolation, DomainEvent, decodeDomainEvent, domainTopics } from '@arbiter/contracts';
import { EventStore, Position, StoredEvent, Subscription, positionFromString, positionToString } from '@arbiter/event-store';
import { LEDGER_EVENT_TYPE_PREFIX, parseRecord } from '@arbiter/ledger';
import type { Lease, ReadModelStore, SqlExecutor } from '@arbiter/read-models';
import { Logger, Metrics, silentLogger } from '@arbiter/telemetry';
import { projectDomainEvent } from './domain-projection';
import { projectLedgerRecord } from './ledger-projection';

export const MEMORY_PROJECTION = 'customer-memory';

export function projectorGroup(ledger: string): string {
  return `${ledger}.projector`;
}
export const LEDGER_PROJECTION = 'ledger-audit';

export interface ProjectorDeps {
  readModels: ReadModelStore;
  logger?: Logger;
  metrics?: Metrics;
}

/**
 * Customer memory from the domain topics. Each batch is applied in one read-model transaction
 * together with the partition's next offset, so a redelivered batch changes nothing: the
 * effect is exactly once even though delivery is at-least-once.
 */
export class DomainProjector {
  private consumer: Consumer | null = null;

  constructor(
    private readonly bus: Bus,
    private readonly deps: ProjectorDeps,
    readonly group: string,
  ) {}

  async start(): Promise<void> {
    this.consumer = consumeWithRestarts(
      this.bus,
      { group: this.group, topics: domainTopics, eachBatch: (batch) => this.apply(batch) },
      { onFailure: (e, attempt) => this.deps.logger?.error('customer memory projection failed; restarting from its offsets', { error: (e as Error).message, attempt }) },
    );
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = null;
  }

  async lag(): Promise<bigint> {
    return this.bus.lag(this.group, domainTopics);
  }

  private async apply(batch: Batch): Promise<void> {
    const skipped = this.deps.metrics?.counter('arbiter_projector_invalid_events_total', 'Domain events the projector skipped as invalid');
    const projected = this.deps.metrics?.counter('arbiter_projector_events_total', 'Domain events folded into customer memory');
    await this.deps.readModels.transaction(async (tx) => {
      const next = await nextOffset(tx, MEMORY_PROJECTION, batch.topic, batch.partition);
      let last: bigint | null = null;
      for (const message of batch.messages) {
        if (message.offset < next) continue;
        last = message.offset;
        let event: DomainEvent;
        try {
          event = decodeDomainEvent(message.value);
        } catch (e) {
          // The reasoner dead-letters invalid events; memory simply does not learn from them.
          if (!(e instanceof ContractViolation)) throw e;
          skipped?.inc({ topic: batch.topic });
          continue;
        }
        // Producers may send an event twice (a retried publish): memory learns from each event id once.
        const fresh = await tx.query('INSERT INTO seen_events (event_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING event_id', [event.id]);
        if (fresh.length === 0) continue;
        await projectDomainEvent(tx, event, event.time ?? message.timestamp.toISOString());
        projected?.inc({ type: event.type });
      }
      if (last !== null) {
        await tx.query(
          `INSERT INTO projection_offsets (projection, topic, partition, next_offset) VALUES ($1, $2, $3, $4)
           ON CONFLICT (projection, topic, partition) DO UPDATE SET next_offset = excluded.next_offset`,
          [MEMORY_PROJECTION, batch.topic, batch.partition, (last + 1n).toString()],
        );
      }
    });
  }
}

async function nextOffset(tx: SqlExecutor, projection: string, topic: string, partition: number): Promise<bigint> {
  const [row] = await tx.query<{ next_offset: number }>('SELECT next_offset FROM projection_offsets WHERE projection = $1 AND topic = $2 AND partition = $3', [projection, topic, partition]);
  return row ? BigInt(row.next_offset) : 0n;
}

export async function readCheckpoint(db: SqlExecutor, projection: string): Promise<Position | 'start'> {
  const [row] = await db.query<{ position: string }>('SELECT position FROM projection_checkpoints WHERE projection = $1', [projection]);
  return row ? positionFromString(row.position) : 'start';
}

export async function writeCheckpoint(db: SqlExecutor, projection: string, position: Position): Promise<void> {
  await db.query(
    `INSERT INTO projection_checkpoints (projection, position, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (projection) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
    [projection, positionToString(position)],
  );
}

const FLUSH_EVERY = 500;
const FLUSH_AFTER_MS = 20;

const LEASE_RETRY_MS = 2_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface StoreProjectionOptions {
  store: EventStore;
  readModels: ReadModelStore;
  projection: string;
  eventTypePrefixes: string[];
  apply: (tx: SqlExecutor, event: StoredEvent) => Promise<void>;
  /** Run in one process at a time (the others stand by), for work that must not be done twice at once. */
  exclusive?: boolean;
  logger?: Logger;
}

/**
 * Runs a catch-up subscription over the store and hands events to `apply` in batches, each
 * batch in one read-model transaction with the checkpoint, so effects are exactly once.
 */
export class StoreProjectionRunner {
  private subscription: Subscription | null = null;
  private loop: Promise<void> | null = null;
  private standby: Promise<void> | null = null;
  private lease: Lease | null = null;
  private buffer: StoredEvent[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private failure: Error | null = null;
  private stopped = false;
  private readonly logger: Logger;
  position: Position | 'start' = 'start';

  constructor(private readonly options: StoreProjectionOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  get projection(): string {
    return this.options.projection;
  }

  async start(): Promise<void> {
    this.stopped = false;
    if (this.options.exclusive) {
      this.lease = await this.options.readModels.tryLease(`projection:${this.projection}`);
      if (!this.lease) {
        this.logger.info(`projection ${this.projection} runs in another process; standing by`);
        this.standby = this.awaitLease();
        return;
      }
    }
    await this.follow();
  }

  private async awaitLease(): Promise<void> {
    while (!this.stopped) {
      await sleep(LEASE_RETRY_MS);
      if (this.stopped) return;
      this.lease = await this.options.readModels.tryLease(`projection:${this.projection}`).catch(() => null);
      if (this.lease) {
        this.logger.info(`projection ${this.projection} taken over by this process`);
        await this.follow();
        return;
      }
    }
  }

  private async follow(): Promise<void> {
    this.position = await readCheckpoint(this.options.readModels, this.projection);
    const subscription = this.options.store.subscribeAll({ after: this.position, filter: { eventTypePrefixes: this.options.eventTypePrefixes } });
    this.subscription = subscription;
    void this.lease?.lost.then(() => {
      if (this.stopped) return;
      this.failure = new Error(`lost the lease on projection ${this.projection}`);
      this.logger.error(this.failure.message);
      void subscription.close();
    });
    this.loop = (async () => {
      for await (const event of subscription) {
        if (this.failure) throw this.failure;
        this.buffer.push(event);
        if (this.buffer.length >= FLUSH_EVERY) await this.flush();
        else this.timer ??= setTimeout(() => void this.flush().catch(() => undefined), FLUSH_AFTER_MS);
      }
    })().catch((e: Error) => {
      this.failure = e;
      this.logger.error(`projection ${this.projection} stopped`, { error: e.message });
    });
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const events = this.buffer;
    this.buffer = [];
    this.flushing = this.flushing.then(async () => {
      if (events.length === 0) return;
      const last = events[events.length - 1].position;
      try {
        await this.options.readModels.transaction(async (tx) => {
          for (const e of events) await this.options.apply(tx, e);
          await writeCheckpoint(tx, this.projection, last);
        });
        this.position = last;
      } catch (e) {
        this.failure = e as Error;
        this.logger.error(`projection ${this.projection} failed; it resumes from its checkpoint on restart`, { error: (e as Error).message });
        await this.subscription?.close();
      }
    });
    return this.flushing;
  }

  /** True when every event the projection follows, up to now, has been applied (by whichever process runs it). */
  async caughtUp(): Promise<boolean> {
    for await (const last of this.options.store.readAll({ direction: 'backwards', maxCount: 1, filter: { eventTypePrefixes: this.options.eventTypePrefixes } })) {
      const position = await readCheckpoint(this.options.readModels, this.projection);
      return position !== 'start' && position.commit >= last.position.commit;
    }
    return true;
  }

  get failed(): Error | null {
    return this.failure;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.subscription?.close();
    await this.standby;
    await this.loop;
    await this.flush();
    this.subscription = null;
    await this.lease?.release();
    this.lease = null;
  }
}

/** The audit views (decisions, chain heads) from every ledger record in the store. */
export function ledgerProjection(store: EventStore, deps: ProjectorDeps): StoreProjectionRunner {
  return new StoreProjectionRunner({
    store,
    readModels: deps.readModels,
    projection: LEDGER_PROJECTION,
    eventTypePrefixes: [LEDGER_EVENT_TYPE_PREFIX],
    apply: async (tx, event) => {
      const text = Buffer.from(event.data).toString('utf8');
      await projectLedgerRecord(tx, parseRecord(text), text, event.position.commit);
    },
    exclusive: true,
    logger: deps.logger,
  });
}
