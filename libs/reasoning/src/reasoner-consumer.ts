import { Bus, Consumer, consumeWithRestarts, eachMessageWithDeadLetters } from '@arbiter/bus';
import { ContractViolation, decodeDomainEvent, domainTopics } from '@arbiter/contracts';
import { StoreUnavailableError } from '@arbiter/event-store';
import { Logger, Metrics, silentLogger } from '@arbiter/telemetry';
import type { DecisionEngine } from './decision-engine';

/** Each ledger is its own consumer of the domain topics: its reasoners share one group. */
export function reasonerGroup(ledger: string): string {
  return `${ledger}.reasoner`;
}

const isTransient = (e: unknown) =>
  e instanceof StoreUnavailableError || ['SQLITE_BUSY', 'SQLITE_LOCKED', 'ECONNREFUSED', 'ECONNRESET'].includes(String((e as { code?: unknown }).code));

/**
 * The reasoner's intake: every domain topic, one subject's events in order. Invalid events
 * go to `<topic>.dlq` with the reason; a store that is down holds the partition back until it
 * returns; offsets are committed only after the decisions are in the ledger.
 */
export class ReasonerConsumer {
  private consumer: Consumer | null = null;
  private stopping = false;

  constructor(
    private readonly bus: Bus,
    private readonly engine: DecisionEngine,
    private readonly logger: Logger = silentLogger,
    private readonly metrics: Metrics | undefined,
    readonly group: string,
  ) {}

  async start(): Promise<void> {
    this.stopping = false;
    const handle = eachMessageWithDeadLetters(
      this.bus,
      async (message) => {
        const event = decodeDomainEvent(message.value);
        await this.engine.decide(event, { topic: message.topic, partition: message.partition, offset: message.offset.toString() });
      },
      {
        isPermanent: (e) => e instanceof ContractViolation,
        isTransient,
        stopping: () => this.stopping,
        onDeadLetter: (m, reason) => {
          this.metrics?.counter('arbiter_dead_letters_total', 'Messages sent to a dead-letter topic').inc({ topic: m.topic });
          this.logger.warn('event dead-lettered', { topic: m.topic, partition: m.partition, offset: m.offset.toString(), reason });
        },
        onRetry: (m, e, attempt) => this.logger.warn('decision failed; retrying', { topic: m.topic, offset: m.offset.toString(), attempt, error: (e as Error).message }),
      },
    );
    this.consumer = consumeWithRestarts(
      this.bus,
      { group: this.group, topics: domainTopics, eachBatch: handle },
      { onFailure: (e, attempt) => this.logger.error('reasoner consumer failed; restarting from the committed offsets', { error: (e as Error).message, attempt }) },
    );
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer?.stop();
    this.consumer = null;
  }

  lag(): Promise<bigint> {
    return this.bus.lag(this.group, domainTopics);
  }
}
