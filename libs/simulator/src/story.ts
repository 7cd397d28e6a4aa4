import type { DomainEvent, DomainEventData, DomainEventType } from '@arbiter/contracts';
import { Random } from './random';
import { SKUS, WAREHOUSES } from './world';

const DAY_MS = 86_400_000;

export interface StoryOptions {
  customerId: string;
  /** The moment the story leads up to: histories lie before it, triggers happen at it. */
  now: string;
  seed?: number;
}

/**
 * One customer's history, told in a few calls: registered long ago or last week, with so many
 * orders, failed payments, usage reports or disputes. Amounts, items and timings are drawn from a
 * seeded generator like the simulator's, so end-to-end specifications run on realistic, repeatable
 * histories and name only what matters to them.
 */
export class CustomerStory {
  private readonly history: DomainEvent[] = [];
  private readonly rng: Random;
  private readonly now: number;
  private counter = 0;

  constructor(private readonly options: StoryOptions) {
    this.rng = new Random(options.seed ?? 1);
    this.now = Date.parse(options.now);
  }

  get customerId(): string {
    return this.options.customerId;
  }

  registered(daysAgo: number, profile: { segment?: 'consumer' | 'business'; country?: string } = {}): this {
    const at = this.at(daysAgo);
    this.record('customer.registered', at, { customerId: this.customerId, name: 'Story Customer', country: profile.country ?? 'NL', segment: profile.segment ?? 'consumer', registeredAt: at });
    return this;
  }

  /** `count` orders spread over the last `overDays` days, each paid and delivered (a share of them late). */
  orders(count: number, options: { overDays: number; lateShare?: number; sellerId?: string } = { overDays: 365 }): this {
    for (let i = 0; i < count; i++) {
      const daysAgo = options.overDays - Math.floor(((i + 0.5) * options.overDays) / count);
      const order = this.placeOrder(daysAgo);
      this.record('payment.succeeded', this.at(daysAgo, 1), { paymentId: this.id('pay'), orderId: order.orderId, customerId: this.customerId, amountCents: order.totalCents, currency: 'EUR' });
      const late = this.rng.chance(options.lateShare ?? 0);
      this.record('order.delivered', this.at(daysAgo - (late ? 7 : 2)), {
        orderId: order.orderId, customerId: this.customerId, warehouseId: this.rng.pick(WAREHOUSES), deliveredDays: late ? this.rng.int(6, 10) : this.rng.int(1, 3), onTime: !late,
      });
    }
    return this;
  }

  /** An order whose payment fails `count` times in a row, `daysAgo` days ago, one attempt an hour apart. */
  failedPayments(count: number, options: { daysAgo: number; reason: string }): this {
    const order = this.placeOrder(options.daysAgo);
    for (let attempt = 1; attempt <= count; attempt++) {
      this.record('payment.failed', this.at(options.daysAgo, attempt), {
        paymentId: this.id('pay'), orderId: order.orderId, customerId: this.customerId, amountCents: order.totalCents, currency: 'EUR', reason: options.reason, attempt,
      });
    }
    return this;
  }

  /** One report per day of `metric`, oldest first, the last `endDaysAgo` days before now. */
  usage(metric: string, values: number[], endDaysAgo = 1): this {
    values.forEach((value, i) => {
      const daysAgo = endDaysAgo + values.length - 1 - i;
      this.record('usage.reported', this.at(daysAgo), { accountId: this.customerId, metric, value, periodStart: this.at(daysAgo + 1), periodEnd: this.at(daysAgo) });
    });
    return this;
  }

  /** Earlier disputes about earlier orders, `reason` each, spread over the last `overDays` days. */
  disputes(count: number, options: { overDays: number; reason?: string; sellerId?: string }): this {
    for (let i = 0; i < count; i++) {
      const daysAgo = options.overDays - Math.floor(((i + 0.5) * options.overDays) / count);
      const order = this.placeOrder(daysAgo + 10);
      this.record('dispute.opened', this.at(daysAgo), {
        disputeId: this.id('dsp'), orderId: order.orderId, buyerId: this.customerId, sellerId: options.sellerId ?? `sel-${this.rng.int(5, 40)}`,
        amountCents: order.totalCents, currency: 'EUR', reason: options.reason ?? 'item_damaged', messages: [{ from: 'buyer', text: 'It did not work out.' }],
      });
    }
    return this;
  }

  /** The history, oldest first. */
  events(): DomainEvent[] {
    return [...this.history].sort((a, b) => Date.parse(a.time!) - Date.parse(b.time!));
  }

  /** A trigger at `now`, not part of the history. */
  trigger<T extends DomainEventType>(type: T, data: DomainEventData[T]): Extract<DomainEvent, { type: T }> {
    return this.event(type, new Date(this.now).toISOString(), data) as Extract<DomainEvent, { type: T }>;
  }

  /** A fresh order placed `daysAgo` days ago (kept in the history), to hang payments or disputes on; of a given total when named. */
  placeOrder(daysAgo: number, totalCents?: number): { orderId: string; totalCents: number } {
    const product = this.rng.pick(SKUS);
    const qty = this.rng.int(1, 3);
    const order = { orderId: this.id('ord'), totalCents: totalCents ?? product.priceCents * qty };
    this.record('order.placed', this.at(daysAgo), {
      orderId: order.orderId, customerId: this.customerId, items: [{ sku: product.sku, qty }], totalCents: order.totalCents, currency: 'EUR', shipTo: { country: 'NL', postalCode: '1011' },
    });
    return order;
  }

  private at(daysAgo: number, hours = 0): string {
    return new Date(this.now - daysAgo * DAY_MS + hours * 3_600_000).toISOString();
  }

  private id(kind: string): string {
    return `${this.customerId}-${kind}-${(this.counter++).toString(36).padStart(4, '0')}`;
  }

  private record<T extends DomainEventType>(type: T, time: string, data: DomainEventData[T]): void {
    this.history.push(this.event(type, time, data));
  }

  private event<T extends DomainEventType>(type: T, time: string, data: DomainEventData[T]): DomainEvent {
    return { specversion: '1.0', id: this.id('evt'), source: '/story', type, subject: this.customerId, time, datacontenttype: 'application/json', data } as DomainEvent;
  }
}
