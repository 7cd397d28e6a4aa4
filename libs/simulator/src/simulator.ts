import type { DomainEvent, DomainEventData, DomainEventType } from '@arbiter/contracts';
import { Random } from './random';
import {
  BUYER_MESSAGES, COUNTRIES, DISPUTE_REASONS, FIRST_NAMES, FRAUD_DECLINES, LAST_NAMES, ORDINARY_DECLINES, SAAS_METRICS, SELLER_MESSAGES, SKUS, STEERING_MESSAGES, WAREHOUSES,
} from './world';

/** Who a customer is, which shapes everything they do: how often they buy, pay, fail and dispute. */
type Persona = 'regular' | 'loyal' | 'risky' | 'fraudster' | 'disputer';

const PERSONAS: readonly (readonly [Persona, number])[] = [['regular', 55], ['loyal', 18], ['risky', 12], ['disputer', 10], ['fraudster', 5]];

interface Customer {
  id: string;
  country: string;
  segment: 'consumer' | 'business';
  persona: Persona;
  /** Some customers buy often; most rarely. */
  loyalty: number;
  /** Some customers' payments keep failing. */
  risk: number;
  /** How readily they open disputes, relative to an ordinary buyer. */
  disputeRate: number;
  usage?: AccountUsage;
}

/** A SaaS account's usage: a baseline per metric that grows, holds or declines report by report. */
interface AccountUsage {
  trajectory: 'growing' | 'steady' | 'declining';
  baseline: Record<string, number>;
  reports: Record<string, number>;
}

const TRAJECTORY_FACTOR = { growing: 1.1, steady: 1, declining: 0.88 } as const;
const SELLERS = 40;
/** A few sellers attract far more disputes than the rest. */
const DISPUTED_SELLERS = 4;

interface Order {
  orderId: string;
  customerId: string;
  sellerId: string;
  totalCents: number;
  paid: boolean;
  delivered: boolean;
  disputed: boolean;
  failures: number;
  warehouseId: string;
  /** Its place in the order of placement. */
  seq: number;
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
  /** Running totals of the customers' loyalty, in registration order: who places the next order. */
  private readonly loyaltyUpTo: number[] = [];
  private readonly customerById = new Map<string, Customer>();
  private readonly accounts: Customer[] = [];
  /**
   * Orders not yet delivered, unpaid and paid, each list in the order of placement. They are
   * kept as orders change rather than filtered out of all the open orders at every step: those
   * pile up (more are placed than delivered), and the filtering made a long run quadratic.
   */
  private readonly unpaid: Order[] = [];
  private readonly paid: Order[] = [];
  private placed = 0;
  /** Paid orders not yet disputed: what a buyer can open a dispute about; and each one's weight in the next pick. */
  private readonly disputable: Order[] = [];
  private readonly disputeWeights: number[] = [];
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
    const action = this.rng.weighted<() => void>([
      [() => this.register(), 8],
      [() => this.placeOrder(), 34],
      [() => this.pay(), this.unpaid.length + this.paid.length ? 18 : 0],
      [() => this.deliver(), this.paid.length ? 14 : 0],
      [() => this.reportUsage(), this.accounts.length ? 14 : 0],
      [() => this.dispute(), this.disputable.length ? 3 : 0],
      [() => this.restock(), this.stocked.size ? 4 : 0],
    ]);
    action();
  }

  private register(): void {
    const segment = this.rng.chance(0.3) ? 'business' : 'consumer';
    const persona = this.rng.weighted(PERSONAS);
    const customer: Customer = {
      id: this.id('cus'),
      country: this.rng.weighted(COUNTRIES),
      segment,
      persona,
      loyalty: persona === 'loyal' ? 6 : persona === 'regular' || persona === 'risky' ? 1 : 2,
      risk: persona === 'fraudster' ? 0.75 : persona === 'risky' ? 0.5 : persona === 'loyal' ? 0.04 : 0.08,
      disputeRate: persona === 'disputer' ? 8 : persona === 'fraudster' ? 4 : 1,
      ...(segment === 'business' ? { usage: this.accountUsage() } : {}),
    };
    this.customers.push(customer);
    this.loyaltyUpTo.push((this.loyaltyUpTo.at(-1) ?? 0) + customer.loyalty);
    this.customerById.set(customer.id, customer);
    if (segment === 'business') this.accounts.push(customer);
    this.emit('customer.registered', customer.id, '/commerce/customers', {
      customerId: customer.id,
      name: `${this.rng.pick(FIRST_NAMES)} ${this.rng.pick(LAST_NAMES)}`,
      country: customer.country,
      segment,
      registeredAt: new Date(this.clock).toISOString(),
    });
  }

  private accountUsage(): AccountUsage {
    const trajectory = this.rng.weighted([['growing', 25], ['steady', 55], ['declining', 20]] as const);
    return {
      trajectory,
      baseline: { api_calls: this.rng.int(2_000, 20_000), active_seats: this.rng.int(5, 80), storage_gb: this.rng.int(50, 800) },
      reports: {},
    };
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
    const customer = this.customers[this.rng.weightedIndex(this.loyaltyUpTo)];
    // Stolen cards buy big: more lines, more units.
    const lines = customer.persona === 'fraudster' ? this.rng.int(2, 4) : this.rng.int(1, 3);
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
    const sellerId = `sel-${this.rng.chance(0.25) ? this.rng.int(1, DISPUTED_SELLERS) : this.rng.int(1, SELLERS)}`;
    const order: Order = { orderId: this.id('ord'), customerId: customer.id, sellerId, totalCents, paid: false, delivered: false, disputed: false, failures: 0, warehouseId, seq: this.placed++ };
    this.unpaid.push(order);
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

  private pay(): void {
    if (this.unpaid.length === 0) return this.placeOrder();
    const order = this.rng.pick(this.unpaid);
    const customer = this.customerById.get(order.customerId)!;
    const base = { paymentId: this.id('pay'), orderId: order.orderId, customerId: order.customerId, amountCents: order.totalCents, currency: 'EUR' };
    if (this.rng.chance(customer.risk) && order.failures < 3) {
      order.failures++;
      const reason = this.rng.weighted(customer.persona === 'fraudster' ? FRAUD_DECLINES : ORDINARY_DECLINES);
      this.emit('payment.failed', order.customerId, '/commerce/payments', { ...base, reason, attempt: order.failures });
    } else {
      order.paid = true;
      this.unpaid.splice(this.unpaid.indexOf(order), 1);
      this.paid.splice(placedAfter(this.paid, order.seq), 0, order);
      this.disputable.push(order);
      this.disputeWeights.push(this.disputeWeight(order));
      this.emit('payment.succeeded', order.customerId, '/commerce/payments', base);
    }
  }

  private deliver(): void {
    if (this.paid.length === 0) return this.placeOrder();
    const order = this.rng.pick(this.paid);
    order.delivered = true;
    this.paid.splice(this.paid.indexOf(order), 1);
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
    const usage = account.usage!;
    const end = new Date(this.clock);
    const start = new Date(this.clock - 86_400_000);
    const metric = this.rng.pick(SAAS_METRICS);
    const n = (usage.reports[metric] = (usage.reports[metric] ?? 0) + 1);
    // The trajectory compounds report by report, within a tenfold band, with ±10 % noise.
    const trend = Math.min(10, Math.max(0.1, TRAJECTORY_FACTOR[usage.trajectory] ** n));
    this.emit('usage.reported', account.id, '/saas/usage', {
      accountId: account.id,
      metric,
      value: Math.max(0, Math.round(usage.baseline[metric] * trend * (0.9 + 0.2 * this.rng.next()))),
      periodStart: start.toISOString(),
      periodEnd: end.toISOString(),
    });
  }

  private dispute(): void {
    const index = this.pickDisputed();
    const order = this.disputable[index];
    order.disputed = true;
    this.disputable.splice(index, 1);
    this.disputeWeights.splice(index, 1);
    const buyer = this.customerById.get(order.customerId)!;
    const reason = buyer.persona === 'fraudster' && this.rng.chance(0.7) ? 'unauthorized_charge' : this.rng.pick(DISPUTE_REASONS);
    const messages: { from: 'buyer' | 'seller' | 'platform'; text: string }[] = [{ from: 'buyer', text: this.buyerMessage(reason) }];
    if (this.rng.chance(buyer.persona === 'disputer' ? 0.25 : 0.05)) messages.push({ from: 'buyer', text: this.rng.pick(STEERING_MESSAGES) });
    if (this.rng.chance(0.7)) messages.push({ from: 'seller', text: this.rng.pick(SELLER_MESSAGES) });
    // Most disputes are for the whole order; some for part of it.
    const amountCents = this.rng.chance(0.8) ? order.totalCents : Math.max(1, Math.round(order.totalCents * this.rng.int(20, 80) / 100));
    this.emit('dispute.opened', order.customerId, '/marketplace/disputes', {
      disputeId: this.id('dsp'),
      orderId: order.orderId,
      buyerId: order.customerId,
      sellerId: order.sellerId,
      amountCents,
      currency: 'EUR',
      reason,
      messages,
    });
  }

  /** Index of the order disputed next, weighted by buyer and seller, without building a list per pick. */
  private pickDisputed(): number {
    const weights = this.disputeWeights;
    let total = 0;
    for (const w of weights) total += w;
    let r = this.rng.next() * total;
    for (let i = 0; i < weights.length; i++) if ((r -= weights[i]) < 0) return i;
    return weights.length - 1;
  }

  /** Fixed for the order: its buyer's readiness to dispute, and whether its seller is often disputed. */
  private disputeWeight(order: Order): number {
    const buyer = this.customerById.get(order.customerId)!;
    const seller = Number(order.sellerId.slice(4)) <= DISPUTED_SELLERS ? 3 : 1;
    return buyer.disputeRate * seller;
  }

  private buyerMessage(reason: string): string {
    const byReason: Record<string, number> = { item_not_received: 0, item_damaged: 1, not_as_described: 2, unauthorized_charge: 3 };
    return this.rng.chance(0.75) && reason in byReason ? BUYER_MESSAGES[byReason[reason]] : this.rng.pick(BUYER_MESSAGES);
  }

  private restock(): void {
    const sku = this.rng.pick([...this.stocked]);
    const wh = this.rng.pick(WAREHOUSES);
    const onHand = (this.stock.get(`${wh}/${sku}`) ?? 0) + this.rng.int(20, 150);
    this.stock.set(`${wh}/${sku}`, onHand);
    this.emit('inventory.level.changed', wh, '/commerce/inventory', { warehouseId: wh, sku, onHand });
  }
}

/** Where an order placed `seq`-th goes in a list kept in the order of placement. */
function placedAfter(orders: Order[], seq: number): number {
  let low = 0;
  let high = orders.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (orders[middle].seq < seq) low = middle + 1;
    else high = middle;
  }
  return low;
}
