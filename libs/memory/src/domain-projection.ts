import type { DomainEvent } from '@arbiter/contracts';
import type { SqlExecutor } from '@arbiter/read-models';

type Of<T extends DomainEvent['type']> = Extract<DomainEvent, { type: T }>;

async function touchCustomer(tx: SqlExecutor, customerId: string, at: string): Promise<void> {
  await tx.query(
    `INSERT INTO customers (customer_id, first_seen, last_seen, events_count) VALUES ($1, $2, $2, 1)
     ON CONFLICT (customer_id) DO UPDATE SET
       first_seen = LEAST(customers.first_seen, excluded.first_seen),
       last_seen = GREATEST(customers.last_seen, excluded.last_seen),
       events_count = customers.events_count + 1`,
    [customerId, at],
  );
}

async function remember(tx: SqlExecutor, customerId: string, event: DomainEvent, at: string, summary: Record<string, unknown>): Promise<void> {
  await tx.query(
    `INSERT INTO customer_events (customer_id, event_id, type, occurred_at, summary) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT DO NOTHING`,
    [customerId, event.id, event.type, at, JSON.stringify(summary)],
  );
}

/** One payment attempt, kept per event so that a decision can see its history as of its trigger. */
async function recordPayment(
  tx: SqlExecutor,
  eventId: string,
  d: { paymentId: string; orderId?: string; customerId: string; amountCents: number },
  outcome: 'failed' | 'succeeded',
  at: string,
  reason: string | null,
  attempt: number | null,
): Promise<void> {
  await tx.query(
    `INSERT INTO payment_history (event_id, customer_id, payment_id, order_id, amount_cents, outcome, reason, attempt, occurred_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT DO NOTHING`,
    [eventId, d.customerId, d.paymentId, d.orderId ?? null, d.amountCents, outcome, reason, attempt, at],
  );
}

const handlers: { [K in DomainEvent['type']]: (tx: SqlExecutor, e: Of<K>, at: string) => Promise<void> } = {
  'customer.registered': async (tx, e, at) => {
    const d = e.data;
    await touchCustomer(tx, d.customerId, at);
    await tx.query('UPDATE customers SET country = $2, segment = $3, registered_at = $4 WHERE customer_id = $1', [d.customerId, d.country, d.segment, d.registeredAt]);
    await remember(tx, d.customerId, e, at, { segment: d.segment, country: d.country });
  },
  'order.placed': async (tx, e, at) => {
    const d = e.data;
    await touchCustomer(tx, d.customerId, at);
    const inserted = await tx.query(
      `INSERT INTO customer_orders (order_id, customer_id, total_cents, currency, ship_country, item_count, placed_at, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'placed') ON CONFLICT (order_id) DO NOTHING RETURNING order_id`,
      [d.orderId, d.customerId, d.totalCents, d.currency, d.shipTo.country, d.items.reduce((n, i) => n + i.qty, 0), at],
    );
    if (inserted.length) {
      await tx.query('UPDATE customers SET orders_count = orders_count + 1, lifetime_value_cents = lifetime_value_cents + $2 WHERE customer_id = $1', [d.customerId, d.totalCents]);
    }
    await remember(tx, d.customerId, e, at, { orderId: d.orderId, totalCents: d.totalCents, currency: d.currency });
  },
  'order.delivered': async (tx, e, at) => {
    const d = e.data;
    await touchCustomer(tx, d.customerId, at);
    const updated = await tx.query(
      `UPDATE customer_orders SET status = $2, warehouse_id = $3, delivered_days = $4 WHERE order_id = $1 AND status <> 'delivered-on-time' AND status <> 'delivered-late' RETURNING order_id`,
      [d.orderId, d.onTime ? 'delivered-on-time' : 'delivered-late', d.warehouseId, d.deliveredDays],
    );
    if (updated.length) {
      await tx.query(`UPDATE customers SET ${d.onTime ? 'deliveries_on_time = deliveries_on_time' : 'deliveries_late = deliveries_late'} + 1 WHERE customer_id = $1`, [d.customerId]);
    }
    await tx.query(`UPDATE decisions SET result = $2 WHERE subject_ref = $1 AND decision_point = 'order.fulfillment'`, [d.orderId, d.onTime ? 'delivered-on-time' : 'delivered-late']);
    if (!d.onTime) await remember(tx, d.customerId, e, at, { orderId: d.orderId, deliveredDays: d.deliveredDays, onTime: false });
  },
  'payment.failed': async (tx, e, at) => {
    const d = e.data;
    await touchCustomer(tx, d.customerId, at);
    await tx.query('UPDATE customers SET payments_failed = payments_failed + 1 WHERE customer_id = $1', [d.customerId]);
    await recordPayment(tx, e.id, d, 'failed', at, d.reason, d.attempt);
    await remember(tx, d.customerId, e, at, { paymentId: d.paymentId, amountCents: d.amountCents, reason: d.reason, attempt: d.attempt });
  },
  'payment.succeeded': async (tx, e, at) => {
    const d = e.data;
    await touchCustomer(tx, d.customerId, at);
    await tx.query('UPDATE customers SET payments_succeeded = payments_succeeded + 1 WHERE customer_id = $1', [d.customerId]);
    await recordPayment(tx, e.id, d, 'succeeded', at, null, null);
  },
  'inventory.level.changed': async (tx, e, at) => {
    const d = e.data;
    await tx.query(
      `INSERT INTO inventory_levels (warehouse_id, sku, on_hand, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (warehouse_id, sku) DO UPDATE SET on_hand = excluded.on_hand, updated_at = excluded.updated_at
       WHERE inventory_levels.updated_at <= excluded.updated_at`,
      [d.warehouseId, d.sku, d.onHand, at],
    );
  },
  'usage.reported': async (tx, e, at) => {
    const d = e.data;
    await touchCustomer(tx, d.accountId, at);
    await tx.query('UPDATE customers SET usage_reports = usage_reports + 1 WHERE customer_id = $1', [d.accountId]);
    await tx.query(
      `INSERT INTO usage_totals (account_id, metric, total, last_value, last_period_end, reports) VALUES ($1, $2, $3, $3, $4, 1)
       ON CONFLICT (account_id, metric) DO UPDATE SET total = usage_totals.total + excluded.total, reports = usage_totals.reports + 1,
         last_value = CASE WHEN excluded.last_period_end >= usage_totals.last_period_end THEN excluded.last_value ELSE usage_totals.last_value END,
         last_period_end = GREATEST(usage_totals.last_period_end, excluded.last_period_end)`,
      [d.accountId, d.metric, d.value, d.periodEnd],
    );
    await tx.query(
      `INSERT INTO usage_history (event_id, account_id, metric, value, period_start, period_end) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT DO NOTHING`,
      [e.id, d.accountId, d.metric, d.value, d.periodStart, d.periodEnd],
    );
  },
  'dispute.opened': async (tx, e, at) => {
    const d = e.data;
    await touchCustomer(tx, d.buyerId, at);
    await tx.query('UPDATE customers SET disputes_opened = disputes_opened + 1 WHERE customer_id = $1', [d.buyerId]);
    await tx.query(
      `INSERT INTO dispute_history (dispute_id, event_id, buyer_id, seller_id, order_id, amount_cents, reason, opened_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (dispute_id) DO NOTHING`,
      [d.disputeId, e.id, d.buyerId, d.sellerId, d.orderId, d.amountCents, d.reason, at],
    );
    await remember(tx, d.buyerId, e, at, { disputeId: d.disputeId, orderId: d.orderId, amountCents: d.amountCents, reason: d.reason });
  },
};

/** Folds one domain event into customer memory. `at` is when it happened (its `time`, or when it was read). */
export async function projectDomainEvent(tx: SqlExecutor, event: DomainEvent, at: string): Promise<void> {
  await (handlers[event.type] as (tx: SqlExecutor, e: DomainEvent, at: string) => Promise<void>)(tx, event, at);
}
