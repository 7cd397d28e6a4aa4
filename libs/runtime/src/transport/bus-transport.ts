import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { Batch, Bus, BusMessage, Consumer, DeadLetterOptions, consumeWithRestarts, eachMessageWithDeadLetters } from '@arbiter/bus';
import { Logger, silentLogger } from '@arbiter/telemetry';
import { BusContext } from './bus-context';

export interface BusTransportOptions {
  bus: Bus;
  /** The consumer group: processes in one group share the partitions. */
  group: string;
  /** How failures are handled: retried, holding the partition, or dead-lettered with the reason. */
  deadLetters: Omit<DeadLetterOptions, 'stopping'>;
  logger?: Logger;
}

/**
 * NestJS microservices over the bus port (the in-process log or Kafka): each `@EventPattern`
 * names a topic, and its handler gets the message and a BusContext. Nest's own Kafka transport
 * commits as it consumes; this one keeps the bus's rules — offsets committed only after the
 * handler's effect is durable, one partition in order, poison messages to `<topic>.dlq` with the
 * reason, transient failures retried while the partition waits.
 */
export class BusTransport extends Server implements CustomTransportStrategy {
  private consumer: Consumer | null = null;
  private stopping = false;
  private readonly log: Logger;

  constructor(private readonly options: BusTransportOptions) {
    super();
    this.log = options.logger ?? silentLogger;
  }

  /** The topics this transport consumes: one per pattern its handlers registered. */
  topics(): string[] {
    return [...this.getHandlers().keys()];
  }

  listen(callback: (...optionalParams: unknown[]) => void): void {
    this.stopping = false;
    const handle = eachMessageWithDeadLetters(this.options.bus, (message, batch) => this.dispatch(message, batch), {
      ...this.options.deadLetters,
      stopping: () => this.stopping,
    });
    this.consumer = consumeWithRestarts(
      this.options.bus,
      { group: this.options.group, topics: this.topics(), eachBatch: handle },
      { onFailure: (e, attempt) => this.log.error('consumer failed; restarting from the committed offsets', { group: this.options.group, error: (e as Error).message, attempt }) },
    );
    callback();
  }

  private async dispatch(message: BusMessage, batch: Batch): Promise<void> {
    const handler = this.getHandlerByPattern(message.topic);
    if (!handler) throw new Error(`no handler for topic ${message.topic}`);
    const result = await handler(message, new BusContext([message, batch]));
    await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
  }

  async close(): Promise<void> {
    this.stopping = true;
    await this.consumer?.stop();
    this.consumer = null;
  }

  on(): never {
    throw new Error('the bus transport has no events to listen to');
  }

  unwrap<T>(): T {
    return this.options.bus as T;
  }
}
