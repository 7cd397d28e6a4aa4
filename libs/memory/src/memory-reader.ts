import type { SqlExecutor } from '@arbiter/read-models';

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
}

const iso = (v: unknown): string | null => (v instanceof Date ? v.toISOString() : v == null ? null : String(v));

export interface MemoryLimits {
  orders?: number;
  events?: number;
  decisions?: number;
}

export class MemoryReader {
  constructor(private readonly db: SqlExecutor) {}

  async customerMemory(customerId: string, limits: MemoryLimits = {}): Promise<CustomerMemory> {
    const [customer] = await this.db.query('SELECT * FROM customers WHERE customer_id = $1', [customerId]);
    const orders = await this.db.query(
      'SELECT order_id, total_cents, currency, status, warehouse_id, placed_at FROM customer_orders WHERE customer_id = $1 ORDER BY placed_at DESC, order_id LIMIT $2',
      [customerId, limits.orders ?? 5],
    );
    const events = await this.db.query(
      'SELECT event_id, type, occurred_at, summary FROM customer_events WHERE customer_id = $1 ORDER BY occurred_at DESC, event_id LIMIT $2',
      [customerId, limits.events ?? 10],
    );
    const usage = await this.db.query('SELECT metric, total, last_value, reports FROM usage_totals WHERE account_id = $1 ORDER BY metric', [customerId]);
    const decisions = await this.db.query(
      'SELECT decision_id, decision_point, outcome, action, result, decided_at FROM decisions WHERE customer_id = $1 ORDER BY position DESC LIMIT $2',
      [customerId, limits.decisions ?? 5],
    );
    const n = (key: string) => Number(customer?.[key] ?? 0);
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
    };
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
