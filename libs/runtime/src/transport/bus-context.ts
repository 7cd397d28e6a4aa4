import { BaseRpcContext } from '@nestjs/microservices';
import type { Batch, BusMessage } from '@arbiter/bus';

/** What an `@EventPattern` handler learns about the message besides its payload (`@Ctx()`). */
export class BusContext extends BaseRpcContext<[BusMessage, Batch]> {
  getMessage(): BusMessage {
    return this.args[0];
  }

  getTopic(): string {
    return this.args[0].topic;
  }

  getPartition(): number {
    return this.args[0].partition;
  }

  /** Tells the consumer group the handler is alive while it waits (a slow model, a backoff). */
  heartbeat(): Promise<void> {
    return this.args[1].heartbeat?.() ?? Promise.resolve();
  }
}
