import type { SqlExecutor } from '@arbiter/read-models';
import { memoryQuery } from './memory-query';

/**
 * What Arbiter knows about a customer when it decides: relationships, not logs. Only plain
 * I-JSON values (integers, strings, no PII such as names), because a digest of it — and the
 * snapshot itself — goes into the signed decision.
 */
export interface CustomerMemory {
  customerId: string;
  known: boolean;
  profile: { country: string | null; segment: string | null; registeredAt: string | null; firstSeen: string | null };
  stats: {
    events: number;
    orders: number;
    lifetimeValueCents: number;
    paymentsFailed: number;
    paymentsSucceeded: number;
    deliveriesOnTime: number;
    deliveriesLate: number;
    disputesOpened: number;
    usageReports: number;
  };
  recentOrders: { orderId: string; totalCents: number; currency: string; status: string; warehouseId: string | null; placedAt: string }[];
  recentEvents: { eventId: string; type: string; at: string; summary: Record<string, unknown> }[];
  usage: { metric: string; total: number; lastValue: number; reports: number }[];
  decisions: { decisionId: string; decisionPoint: string; outcome: string; action: unknown; result: string | null; decidedAt: string }[];
  /** The sections read; the others are left empty (a decision point reads only what it decides on). */
  sections: MemorySection[];
  /** The moment the memory describes (the trigger's time): ages and windows below count back from it. */
  asOf: string | null;
  /** Days since registration (or first sighting) at `asOf`. */
  accountAgeDays: number | null;
  payments: PaymentMemory;
  usageTrends: UsageTrend[];
  disputes: DisputeMemory;
}

/** The parts of memory beyond the profile and counters, each read only when asked for. */
export const MEMORY_SECTIONS = ['orders', 'events', 'usage', 'decisions', 'payments', 'usageTrends', 'disputes'] as const;
export type MemorySection = (typeof MEMORY_SECTIONS)[number];

/** Payment history before the trigger: what a retry strategy weighs. */
export interface PaymentMemory {
  failed90d: number;
  succeeded90d: number;
  /** Failures since the last success (all of them when there never was one). */
  failureStreak: number;
  /** Declines issuers use for suspected fraud or failed authentication, in 90 days. */
  hardDeclines90d: number;
  lastSucceededDaysAgo: number | null;
  recentFailures: { paymentId: string; orderId: string | null; amountCents: number; reason: string; attempt: number; daysAgo: number }[];
}

/** One usage metric's recent reports, newest first: what churn and upgrade decisions weigh. */
export interface UsageTrend {
  metric: string;
  reports: number;
  recent: number[];
  /** Integer mean of `recent`. */
  average: number;
}

export interface DisputeMemory {
  opened365d: number;
  unauthorizedClaims365d: number;
  recent: { disputeId: string; orderId: string; sellerId: string; amountCents: number; reason: string; daysAgo: number }[];
}

/** Issuer decline reasons that point at fraud or a stolen instrument rather than an empty account. */
export const HARD_DECLINES = ['do_not_honor', 'authentication_required', 'suspected_fraud', 'stolen_card'];

/** What memory says about a customer it has never seen. */
export function emptyCustomerMemory(customerId: string, asOf: string | null = null): CustomerMemory {
  return {
    customerId,
    known: false,
    profile: { country: null, segment: null, registeredAt: null, firstSeen: null },
    stats: { events: 0, orders: 0, lifetimeValueCents: 0, paymentsFailed: 0, paymentsSucceeded: 0, deliveriesOnTime: 0, deliveriesLate: 0, disputesOpened: 0, usageReports: 0 },
    recentOrders: [],
    recentEvents: [],
    usage: [],
    decisions: [],
    sections: [...MEMORY_SECTIONS],
    asOf,
    accountAgeDays: null,
    payments: { failed90d: 0, succeeded90d: 0, failureStreak: 0, hardDeclines90d: 0, lastSucceededDaysAgo: null, recentFailures: [] },
    usageTrends: [],
    disputes: { opened365d: 0, unauthorizedClaims365d: 0, recent: [] },
  };
}

/** The disputed order as memory knows it, and how often its seller is disputed. */
export interface OrderFacts {
  orderId: string;
  customerId: string;
  totalCents: number;
  currency: string;
  status: string;
  placedAt: string;
}

/** Timestamps come as Date objects from a column and as text from JSON: both in ledger form. */
const iso = (v: unknown): string | null => (v == null ? null : new Date(v as string | Date).toISOString());

export interface MemoryLimits {
  orders?: number;
  events?: number;
  decisions?: number;
  /** Describe the customer as of this time (the trigger's), counting ages and windows back from it. */
  asOf?: string;
  /** Leave this event out (the trigger), whether or not memory has already learnt from it. */
  excludeEventId?: string;
  /** The sections to read (all by default); each costs a query. */
  sections?: readonly MemorySection[];
}

const DAY_MS = 86_400_000;
const daysBetween = (from: unknown, to: number): number => Math.max(0, Math.floor((to - new Date(from as string | Date).getTime()) / DAY_MS));

export class MemoryReader {
  constructor(private readonly db: SqlExecutor) {}

  async customerMemory(customerId: string, limits: MemoryLimits = {}): Promise<CustomerMemory> {
    const asOf = limits.asOf ?? new Date().toISOString();
    const at = Date.parse(asOf);
    const exclude = limits.excludeEventId ?? '';
    const sections = MEMORY_SECTIONS.filter((s) => !limits.sections || limits.sections.includes(s));
    const wanted = (s: MemorySection) => sections.includes(s);
    const { sql, params } = memoryQuery(sections, { customerId, exclude, asOf, orders: limits.orders ?? 5, events: limits.events ?? 10, decisions: limits.decisions ?? 5 });
    const [row] = await this.db.query<Record<string, unknown>>(sql, params);
    const customer = (row.customer ?? undefined) as Record<string, unknown> | undefined;
    const rows = (s: MemorySection) => (wanted(s) ? (row[s] as Record<string, unknown>[]) : []);
    const [orders, events, usage, decisions, payments, trends, disputes] = (['orders', 'events', 'usage', 'decisions', 'payments', 'usageTrends', 'disputes'] as const).map(rows);
    const n = (key: string) => Number(customer?.[key] ?? 0);
    const since = customer?.registered_at ?? customer?.first_seen;
    return {
      customerId,
      known: customer !== undefined,
      profile: {
        country: (customer?.country as string | null) ?? null,
        segment: (customer?.segment as string | null) ?? null,
        registeredAt: iso(customer?.registered_at),
        firstSeen: iso(customer?.first_seen),
      },
      stats: {
        events: n('events_count'),
        orders: n('orders_count'),
        lifetimeValueCents: n('lifetime_value_cents'),
        paymentsFailed: n('payments_failed'),
        paymentsSucceeded: n('payments_succeeded'),
        deliveriesOnTime: n('deliveries_on_time'),
        deliveriesLate: n('deliveries_late'),
        disputesOpened: n('disputes_opened'),
        usageReports: n('usage_reports'),
      },
      recentOrders: orders.map((o) => ({
        orderId: String(o.order_id),
        totalCents: Number(o.total_cents),
        currency: String(o.currency),
        status: String(o.status),
        warehouseId: (o.warehouse_id as string | null) ?? null,
        placedAt: iso(o.placed_at)!,
      })),
      recentEvents: events.map((e) => ({ eventId: String(e.event_id), type: String(e.type), at: iso(e.occurred_at)!, summary: e.summary as Record<string, unknown> })),
      usage: usage.map((u) => ({ metric: String(u.metric), total: Number(u.total), lastValue: Number(u.last_value), reports: Number(u.reports) })),
      decisions: decisions.map((d) => ({
        decisionId: String(d.decision_id),
        decisionPoint: String(d.decision_point),
        outcome: String(d.outcome),
        action: d.action,
        result: (d.result as string | null) ?? null,
        decidedAt: iso(d.decided_at)!,
      })),
      sections,
      asOf: new Date(at).toISOString(),
      accountAgeDays: since == null ? null : daysBetween(since, at),
      payments: toPaymentMemory(payments, at),
      usageTrends: toUsageTrends(trends),
      disputes: {
        opened365d: disputes.length,
        unauthorizedClaims365d: disputes.filter((d) => d.reason === 'unauthorized_charge').length,
        recent: disputes.slice(0, 5).map((d) => ({
          disputeId: String(d.dispute_id),
          orderId: String(d.order_id),
          sellerId: String(d.seller_id),
          amountCents: Number(d.amount_cents),
          reason: String(d.reason),
          daysAgo: daysBetween(d.opened_at, at),
        })),
      },
    };
  }

  /** An order as memory knows it (null when it never saw it). */
  async order(orderId: string): Promise<OrderFacts | null> {
    const [o] = await this.db.query('SELECT order_id, customer_id, total_cents, currency, status, placed_at FROM customer_orders WHERE order_id = $1', [orderId]);
    if (!o) return null;
    return { orderId: String(o.order_id), customerId: String(o.customer_id), totalCents: Number(o.total_cents), currency: String(o.currency), status: String(o.status), placedAt: iso(o.placed_at)! };
  }

  /** Disputes opened against a seller in the 90 days before `asOf`, the one named excluded. */
  async sellerDisputes90d(sellerId: string, asOf: string, excludeDisputeId = ''): Promise<number> {
    const [row] = await this.db.query(
      `SELECT COUNT(*)::bigint AS n FROM dispute_history WHERE seller_id = $1 AND dispute_id <> $2 AND opened_at <= $3::timestamptz AND opened_at > $3::timestamptz - interval '90 days'`,
      [sellerId, excludeDisputeId, asOf],
    );
    return Number(row.n);
  }

  /** Units on hand per warehouse and SKU, for the given SKUs. */
  async inventory(skus: string[]): Promise<Record<string, Record<string, number>>> {
    const rows = await this.db.query<{ warehouse_id: string; sku: string; on_hand: number }>(
      'SELECT warehouse_id, sku, on_hand FROM inventory_levels WHERE sku = ANY($1::text[]) ORDER BY warehouse_id, sku',
      [skus],
    );
    const levels: Record<string, Record<string, number>> = {};
    for (const r of rows) (levels[r.warehouse_id] ??= {})[r.sku] = Number(r.on_hand);
    return levels;
  }
}


function toPaymentMemory(history: Record<string, unknown>[], at: number): PaymentMemory {
  const within90 = history.filter((p) => daysBetween(p.occurred_at, at) < 90);
  const lastSuccess = history.findIndex((p) => p.outcome === 'succeeded');
  const failures = history.filter((p) => p.outcome === 'failed');
  return {
    failed90d: within90.filter((p) => p.outcome === 'failed').length,
    succeeded90d: within90.filter((p) => p.outcome === 'succeeded').length,
    failureStreak: lastSuccess === -1 ? failures.length : lastSuccess,
    hardDeclines90d: within90.filter((p) => p.outcome === 'failed' && HARD_DECLINES.includes(String(p.reason))).length,
    lastSucceededDaysAgo: lastSuccess === -1 ? null : daysBetween(history[lastSuccess].occurred_at, at),
    recentFailures: failures.slice(0, 5).map((f) => ({
      paymentId: String(f.payment_id),
      orderId: (f.order_id as string | null) ?? null,
      amountCents: Number(f.amount_cents),
      reason: String(f.reason),
      attempt: Number(f.attempt),
      daysAgo: daysBetween(f.occurred_at, at),
    })),
  };
}

function toUsageTrends(rows: Record<string, unknown>[]): UsageTrend[] {
  const byMetric = new Map<string, UsageTrend>();
  for (const r of rows) {
    const metric = String(r.metric);
    let trend = byMetric.get(metric);
    if (!trend) byMetric.set(metric, (trend = { metric, reports: Number(r.n), recent: [], average: 0 }));
    trend.recent.push(Number(r.value));
  }
  for (const t of byMetric.values()) t.average = Math.floor(t.recent.reduce((a, b) => a + b, 0) / t.recent.length);
  return [...byMetric.values()];
}
