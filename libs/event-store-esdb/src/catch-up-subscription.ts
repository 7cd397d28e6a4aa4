import { AllStreamResolvedEvent, AllStreamSubscription, EventStoreDBClient, START } from '@eventstore/db-client';
import { Position, StoreUnavailableError, StoredEvent, SubscribeAllOptions, Subscription, matchesFilter } from '@arbiter/event-store';
import { isSystemEvent, toStoredEvent } from './recorded-events';
import { serverFilter } from './server-filter';
import { isUnavailable, translateError } from './translate-error';

export interface ReconnectPolicy {
  /** The first wait after the connection drops; each further failure doubles it. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Failed attempts in a row before the subscription gives up with StoreUnavailableError. */
  maxAttempts: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = { initialDelayMs: 100, maxDelayMs: 5000, maxAttempts: Infinity };

/**
 * A catch-up subscription to $all that survives the connection: when the server goes away it
 * subscribes again after the last event it delivered, so the consumer sees every event once,
 * in order, across reconnects.
 */
export class CatchUpSubscription implements Subscription {
  private closed = false;
  private source: AllStreamSubscription | null = null;
  private wake: (() => void) | null = null;
  private readonly events: AsyncGenerator<StoredEvent>;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly options: SubscribeAllOptions,
    private readonly policy: ReconnectPolicy,
    private readonly onClosed: () => void,
  ) {
    this.events = this.follow();
  }

  [Symbol.asyncIterator](): AsyncIterator<StoredEvent> {
    return this.events;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake?.();
    if (this.source && !this.source.destroyed) await this.source.unsubscribe();
    // Ends the iteration (and so stops the call): at once if no event is awaited, else once the cancelled call has ended.
    this.events.return(undefined).catch(() => undefined);
    this.onClosed();
  }

  private async *follow(): AsyncGenerator<StoredEvent> {
    let after: Position | 'start' = this.options.after ?? 'start';
    let failures = 0;
    try {
      while (!this.closed) {
        const source = this.client.subscribeToAll({ fromPosition: after === 'start' ? START : after, filter: serverFilter(this.options.filter) });
        this.source = source;
        try {
          for await (const resolved of source.iterator({ destroyOnReturn: false }) as AsyncIterable<AllStreamResolvedEvent>) {
            failures = 0;
            const event = toStoredEvent(resolved);
            if (!event) continue;
            after = event.position;
            if (isSystemEvent(event) || !matchesFilter(this.options.filter, event.stream, event.type)) continue;
            if (this.closed) return;
            yield event;
          }
        } catch (error) {
          if (this.closed) return;
          if (!isUnavailable(error)) throw translateError(error, '$all');
        } finally {
          await stop(source);
        }
        if (this.closed) return;
        if (++failures > this.policy.maxAttempts) throw new StoreUnavailableError(`the $all subscription could not reconnect after ${this.policy.maxAttempts} attempts`);
        await this.pause(Math.min(this.policy.maxDelayMs, this.policy.initialDelayMs * 2 ** (failures - 1)));
      }
    } finally {
      await this.close();
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/**
 * Cancels the call and lets what is still buffered flow out unread, so the call reaches its
 * end: the client waits for every call it made to end before it can be disposed.
 */
async function stop(source: AllStreamSubscription): Promise<void> {
  if (source.destroyed || source.readableEnded) return;
  await source.unsubscribe();
  source.resume();
}
