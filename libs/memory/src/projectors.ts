import { Batch, Bus, Consumer, consumeWithRestarts } from '@arbiter/bus';
import { ContractViolation, decodeDomainEvent, domainTopics } from '@arbiter/contracts';
import type { EventStore } from '@arbiter/event-store';
import { LEDGER_EVENT_TYPE_PREFIX, parseRecord } from '@arbiter/ledger';
import type { ReadModelStore, SqlExecutor } from '@arbiter/read-models';
import type { Logger, Metrics } from '@arbiter/telemetry';
import { TimedEvent, projectDomainBatch } from './memory-batch';
import { projectLedgerRecord } from './ledger-projection';
import { StoreProjectionRunner } from './store-projection-runner';

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
      const fresh = batch.messages.filter((m) => m.offset >= next);
      if (fresh.length === 0) return;
      const events: TimedEvent[] = [];
      for (const message of fresh) {
        try {
          const event = decodeDomainEvent(message.value);
          events.push({ event, at: event.time ?? message.timestamp.toISOString() });
        } catch (e) {
          // The reasoner dead-letters invalid events; memory simply does not learn from them.
          if (!(e instanceof ContractViolation)) throw e;
          skipped?.inc({ topic: batch.topic });
        }
      }
      // Producers may send an event twice (a retried publish): memory learns from each event id once.
      const learnt = await projectDomainBatch(tx, events);
      projected?.inc({ topic: batch.topic }, learnt);
      await tx.query(
        `INSERT INTO projection_offsets (projection, topic, partition, next_offset) VALUES ($1, $2, $3, $4)
         ON CONFLICT (projection, topic, partition) DO UPDATE SET next_offset = excluded.next_offset`,
        [MEMORY_PROJECTION, batch.topic, batch.partition, (fresh[fresh.length - 1].offset + 1n).toString()],
      );
    });
  }
}

async function nextOffset(tx: SqlExecutor, projection: string, topic: string, partition: number): Promise<bigint> {
  const [row] = await tx.query<{ next_offset: number }>('SELECT next_offset FROM projection_offsets WHERE projection = $1 AND topic = $2 AND partition = $3', [projection, topic, partition]);
  return row ? BigInt(row.next_offset) : 0n;
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
