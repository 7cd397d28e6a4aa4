import type { EventStore, SubscribeAllOptions, Subscription } from '@arbiter/event-store';

/** The store subscriptions behind open gRPC subscriptions, so that shutting down ends them all. */
export class LiveSubscriptions {
  private readonly open = new Set<Subscription>();

  constructor(private readonly store: EventStore) {}

  subscribe(options: SubscribeAllOptions): Subscription {
    const subscription = this.store.subscribeAll(options);
    this.open.add(subscription);
    const close = async () => {
      this.open.delete(subscription);
      await subscription.close();
    };
    return { [Symbol.asyncIterator]: () => subscription[Symbol.asyncIterator](), close };
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open].map((s) => s.close()));
    this.open.clear();
  }
}
