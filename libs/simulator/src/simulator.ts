import type { DomainEvent, DomainEventData, DomainEventType } from '@arbiter/contracts';
import { Random } from './random';
import {
  BUYER_MESSAGES, COUNTRIES, DISPUTE_REASONS, FIRST_NAMES, LAST_NAMES, PAYMENT_FAILURES, SAAS_METRICS, SELLER_MESSAGES, SKUS, WAREHOUSES,
} from './world';

interface Customer {
  id: string;
  country: string;
  segment: 'consumer' | 'business';
  /** Some customers buy often; most rarely. */
  loyalty: number;
  /** Some customers' payments keep failing. */
  risk: number;
}

interface Order {
  orderId: string;
  customerId: string;
  totalCents: number;
  paid: boolean;
  delivered: boolean;
  disputed: boolean;
  failures: number;
  warehouseId: string;
}

export interface SimulatorOptions {
  seed?: number;
  start?: Date | string;
  /** Mean simulated time between events. */
  meanGapMs?: number;
  /** Prefix of every id, so runs with different seeds never collide. */
  idPrefix?: string;
}

/**
 * Seeded, realistic synthetic traffic for every domain: customers with histories, orders with
 * items and addresses, payments that fail and succeed, deliveries, SaaS usage and disputes with
 * messages. The same seed gives the same events, ids included.
 */
export class Simulator {
  private readonly rng: Random;
  private readonly prefix: string;
  private readonly customers: Customer[] = [];
  private readonly accounts: Customer[] = [];
  private readonly orders: Order[] = [];
  private readonly stock = new Map<string, number>();
  private readonly stocked = new Set<string>();
  private readonly pending: DomainEvent[] = [];
  private clock: number;
  private counter = 0;
  private readonly meanGapMs: number;

  constructor(options: SimulatorOptions = {}) {
    const seed = options.seed ?? 42;
    this.rng = new Random(seed);
    this.prefix = options.idPrefix ?? `s${seed}`;
    this.clock = new Date(options.start ?? '2026-06-01T08:00:00.000Z').getTime();
    this.meanGapMs = options.meanGapMs ?? 90_000;
  }

  /** The next event of the world. */
  next(): DomainEvent {
    if (this.pending.length === 0) this.step();
    return this.pending.shift()!;
  }

  *take(count: number): Generator<DomainEvent> {
    for (let i = 0; i < count; i++) yield this.next();
  }

  private id(kind: string): string {
    return `${this.prefix}-${kind}-${(this.counter++).toString(36).padStart(5, '0')}`;
  }

  private emit<T extends DomainEventType>(type: T, subject: string, source: string, data: DomainEventData[T]): void {
    this.clock += 1 + Math.floor(this.rng.next() * this.meanGapMs * 2);
    this.pending.push({ specversion: '1.0', id: this.id('evt'), source, type, subject, time: new Date(this.clock).toISOString(), datacontenttype: 'application/json', data } as DomainEvent);
  }

  private step(): void {
    if (this.customers.length < 5) return this.register();
    const open = this.orders.filter((o) => !o.delivered);
    const action = this.rng.weighted<() => void>([
      [() => this.register(), 8],
      [() => this.placeOrder(), 34],
      [() => this.pay(open), open.length ? 18 : 0],
      [() => this.deliver(open), open.some((o) => o.paid) ? 14 : 0],
      [() => this.reportUsage(), this.accounts.length ? 14 : 0],
      [() => this.dispute(), this.orders.some((o) => o.delivered && !o.disputed) ? 3 : 0],
      [() => this.restock(), this.stocked.size ? 4 : 0],
    ]);
    action();
  }

  private register(): void {
    const segment = this.rng.chance(0.3) ? 'business' : 'consumer';
    const customer: Customer = {
      id: this.id('cus'),
      country: this.rng.weighted(COUNTRIES),
      segment,
      loyalty: this.rng.chance(0.2) ? 6 : 1,
      risk: this.rng.chance(0.15) ? 0.6 : 0.08,
    };
    this.customers.push(customer);
    if (segment === 'business') this.accounts.push(customer);
    this.emit('customer.registered', customer.id, '/commerce/customers', {
      customerId: customer.id,
      name: `${this.rng.pick(FIRST_NAMES)} ${this.rng.pick(LAST_NAMES)}`,
      country: customer.country,
      segment,
      registeredAt: new Date(this.clock).toISOString(),
    });
  }

  private ensureStock(sku: string): void {
    if (this.stocked.has(sku)) return;
    this.stocked.add(sku);
    for (const wh of WAREHOUSES) {
      const onHand = this.rng.chance(0.3) ? 0 : this.rng.int(5, 200);
      this.stock.set(`${wh}/${sku}`, onHand);
      this.emit('inventory.level.changed', wh, '/commerce/inventory', { warehouseId: wh, sku, onHand });
    }
  }

  private placeOrder(): void {
    const customer = this.rng.weighted(this.customers.map((c) => [c, c.loyalty] as const));
    const lines = this.rng.int(1, 3);
    const items = new Map<string, number>();
    let totalCents = 0;
    for (let i = 0; i < lines; i++) {
      const product = this.rng.pick(SKUS);
      const qty = this.rng.int(1, 3);
      items.set(product.sku, (items.get(product.sku) ?? 0) + qty);
      totalCents += product.priceCents * qty;
    }
    for (const sku of items.keys()) this.ensureStock(sku);
    const stockedAt = WAREHOUSES.filter((wh) => [...items].every(([sku, qty]) => (this.stock.get(`${wh}/${sku}`) ?? 0) >= qty));
    const warehouseId = stockedAt.length ? this.rng.pick(stockedAt) : this.rng.pick(WAREHOUSES);
    for (const [sku, qty] of items) this.stock.set(`${warehouseId}/${sku}`, Math.max(0, (this.stock.get(`${warehouseId}/${sku}`) ?? 0) - qty));
    const order: Order = { orderId: this.id('ord'), customerId: customer.id, totalCents, paid: false, delivered: false, disputed: false, failures: 0, warehouseId };
    this.orders.push(order);
    this.emit('order.placed', customer.id, '/commerce/orders', {
      orderId: order.orderId,
      customerId: customer.id,
      items: [...items].map(([sku, qty]) => ({ sku, qty })),
      totalCents,
      currency: 'EUR',
      shipTo: { country: customer.country, postalCode: String(this.rng.int(1000, 99999)) },
      ...(this.rng.chance(0.6) ? { promisedDays: this.rng.int(1, 5) } : {}),
    });
  }

  private pay(open: Order[]): void {
    const unpaid = open.filter((o) => !o.paid);
    if (unpaid.length === 0) return this.placeOrder();
    const order = this.rng.pick(unpaid);
    const customer = this.customers.find((c) => c.id === order.customerId)!;
    const base = { paymentId: this.id('pay'), orderId: order.orderId, customerId: order.customerId, amountCents: order.totalCents, currency: 'EUR' };
    if (this.rng.chance(customer.risk) && order.failures < 3) {
      order.failures++;
      this.emit('payment.failed', order.customerId, '/commerce/payments', { ...base, reason: this.rng.pick(PAYMENT_FAILURES), attempt: order.failures });
    } else {
      order.paid = true;
      this.emit('payment.succeeded', order.customerId, '/commerce/payments', base);
    }
  }

  private deliver(open: Order[]): void {
    const paid = open.filter((o) => o.paid);
    if (paid.length === 0) return this.placeOrder();
    const order = this.rng.pick(paid);
    order.delivered = true;
    const onTime = this.rng.chance(0.85);
    this.emit('order.delivered', order.customerId, '/commerce/orders', {
      orderId: order.orderId,
      customerId: order.customerId,
      warehouseId: order.warehouseId,
      deliveredDays: onTime ? this.rng.int(1, 4) : this.rng.int(5, 12),
      onTime,
    });
  }

  private reportUsage(): void {
    const account = this.rng.pick(this.accounts);
    const end = new Date(this.clock);
    const start = new Date(this.clock - 86_400_000);
    const metric = this.rng.pick(SAAS_METRICS);
    const scale = metric === 'api_calls' ? 10_000 : metric === 'active_seats' ? 50 : 500;
    this.emit('usage.reported', account.id, '/saas/usage', {
      accountId: account.id,
      metric,
      value: Math.round(scale * this.rng.next() * account.loyalty),
      periodStart: start.toISOString(),
      periodEnd: end.toISOString(),
    });
  }

  private dispute(): void {
    const order = this.rng.pick(this.orders.filter((o) => o.delivered && !o.disputed));
    order.disputed = true;
    const reason = this.rng.pick(DISPUTE_REASONS);
    const messages = [{ from: 'buyer' as const, text: this.rng.pick(BUYER_MESSAGES) }];
    if (this.rng.chance(0.7)) messages.push({ from: 'seller' as never, text: this.rng.pick(SELLER_MESSAGES) });
    this.emit('dispute.opened', order.customerId, '/marketplace/disputes', {
      disputeId: this.id('dsp'),
      orderId: order.orderId,
      buyerId: order.customerId,
      sellerId: `sel-${this.rng.int(1, 40)}`,
      amountCents: order.totalCents,
      currency: 'EUR',
      reason,
      messages,
    });
  }

  private restock(): void {
    const sku = this.rng.pick([...this.stocked]);
    const wh = this.rng.pick(WAREHOUSES);
    const onHand = (this.stock.get(`${wh}/${sku}`) ?? 0) + this.rng.int(20, 150);
    this.stock.set(`${wh}/${sku}`, onHand);
    this.emit('inventory.level.changed', wh, '/commerce/inventory', { warehouseId: wh, sku, onHand });
  }
}
