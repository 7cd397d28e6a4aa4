import type { DomainEvent } from '@arbiter/contracts';
import type { SqlExecutor } from '@arbiter/read-models';

type Of<T extends DomainEvent['type']> = Extract<DomainEvent, { type: T }>;

/** A domain event and when it happened (its `time`, or when it was read). */
export interface TimedEvent {
  event: DomainEvent;
  at: string;
}

interface CustomerDelta {
  customer_id: string;
  first_seen: string;
  last_seen: string;
  events_count: number;
  country: string | null;
  segment: string | null;
  registered_at: string | null;
  orders_count: number;
  lifetime_value_cents: number;
  payments_failed: number;
  payments_succeeded: number;
  deliveries_on_time: number;
  deliveries_late: number;
  disputes_opened: number;
  usage_reports: number;
}

type Row = Record<string, string | number | boolean | null | object>;

const json = (rows: unknown[]) => JSON.stringify(rows);
/** UTC timestamps in JavaScript's own ISO form (`2026-01-02T03:04:05.678Z`) compare as strings; others are parsed. */
const isoUtc = (t: string) => t.length === 24 && t.charCodeAt(23) === 90; /* Z */
const notBefore = (b: string, a: string) => (isoUtc(a) && isoUtc(b) ? b >= a : Date.parse(b) >= Date.parse(a));
const later = (a: string, b: string) => (notBefore(b, a) ? b : a);
const earlier = (a: string, b: string) => (notBefore(b, a) ? a : b);

/**
 * Customer memory, folded a batch at a time: the batch is reduced in memory to one set of rows
 * per table and written with a handful of statements, whatever its size — bulk appends (COPY)
 * for the rows that are new (the histories, new orders, the event ids seen) and set-based
 * upserts for the totals. Statement count, not row count, is what an embedded engine pays for,
 * and an append costs it half what an upsert parsed from JSON does. Each event id counts once,
 * across batches too.
 */
export async function projectDomainBatch(tx: SqlExecutor, batch: TimedEvent[]): Promise<number> {
  const fresh = await claimEventIds(tx, batch);
  if (fresh.length === 0) return 0;
  const fold = new BatchFold();
  for (const item of fresh) fold.add(item);
  await fold.write(tx);
  return fresh.length;
}

/**
 * The events of the batch not seen before, in order; an id repeated within the batch counts once.
 * Their ids are recorded as seen. One process at a time projects (the projection's lease), so
 * ids looked up and then appended cannot race; if they ever did, the key would refuse the batch
 * and it would be applied again from the checkpoint.
 */
async function claimEventIds(tx: SqlExecutor, batch: TimedEvent[]): Promise<TimedEvent[]> {
  const firsts = new Map<string, TimedEvent>();
  for (const item of batch) if (!firsts.has(item.event.id)) firsts.set(item.event.id, item);
  if (firsts.size === 0) return [];
  const known = await existing(tx, 'seen_events', 'event_id', [...firsts.keys()]);
  const fresh = [...firsts.values()].filter((item) => !known.has(item.event.id));
  await tx.insertRows('seen_events', ['event_id'], fresh.map((item) => [item.event.id]));
  return fresh;
}

/** Which of `keys` the table already holds in `column` (its key). */
async function existing(tx: SqlExecutor, table: string, column: string, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await tx.query<Record<string, string>>(`SELECT t.${column} AS key FROM jsonb_array_elements_text($1::jsonb) AS v(key) JOIN ${table} t ON t.${column} = v.key`, [json(keys)]);
  return new Set(rows.map((r) => r.key));
}

/** Rows given as objects, appended in one bulk insert (columns: the first row's). */
export function insertObjects(tx: SqlExecutor, table: string, rows: Record<string, unknown>[]): Promise<number> {
  if (rows.length === 0) return Promise.resolve(0);
  const columns = Object.keys(rows[0]);
  return tx.insertRows(table, columns, rows.map((row) => columns.map((c) => row[c])));
}

/** Rows to write, by table name. */
export type MemoryRows = Record<string, Row[]>;

/** The append-only tables of memory, besides the event ids seen: one row per event folded. */
export const HISTORY_TABLES = ['customer_events', 'payment_history', 'usage_history'] as const;
export type HistoryTable = (typeof HISTORY_TABLES)[number];

export class BatchFold {
  private readonly customers = new Map<string, CustomerDelta>();
  private readonly orders: Row[] = [];
  /** First delivery per order: later ones in the batch find it delivered already. */
  private readonly deliveries = new Map<string, Row>();
  /** Last delivery per order: what the fulfilment decision's result says. */
  private readonly results = new Map<string, string>();
  private readonly timeline: Row[] = [];
  private readonly payments: Row[] = [];
  private readonly usage: Row[] = [];
  private readonly usageTotals = new Map<string, Row & { total: number; reports: number; last_value: number; last_period_end: string }>();
  private readonly disputes: Row[] = [];
  private readonly inventory = new Map<string, Row & { updated_at: string }>();
  /** Bulk load: orders written already (`takeSettledOrders`), and the first placement of each order not written yet. */
  private readonly settled = new Set<string>();
  private readonly open = new Map<string, Row>();

  add({ event, at }: TimedEvent): void {
    (this.handlers[event.type] as (e: DomainEvent, at: string) => void)(event, at);
  }

  private touch(customerId: string, at: string): CustomerDelta {
    let c = this.customers.get(customerId);
    if (!c) {
      c = {
        customer_id: customerId, first_seen: at, last_seen: at, events_count: 0, country: null, segment: null, registered_at: null,
        orders_count: 0, lifetime_value_cents: 0, payments_failed: 0, payments_succeeded: 0, deliveries_on_time: 0, deliveries_late: 0, disputes_opened: 0, usage_reports: 0,
      };
      this.customers.set(customerId, c);
    }
    c.first_seen = earlier(c.first_seen, at);
    c.last_seen = later(c.last_seen, at);
    c.events_count++;
    return c;
  }

  private remember(customerId: string, event: DomainEvent, at: string, summary: Record<string, unknown>): void {
    this.timeline.push({ customer_id: customerId, event_id: event.id, type: event.type, occurred_at: at, summary });
  }

  private payment(e: Of<'payment.failed'> | Of<'payment.succeeded'>, at: string, outcome: 'failed' | 'succeeded', reason: string | null, attempt: number | null): void {
    const d = e.data;
    this.payments.push({ event_id: e.id, customer_id: d.customerId, payment_id: d.paymentId, order_id: d.orderId ?? null, amount_cents: d.amountCents, outcome, reason, attempt, occurred_at: at });
  }

  private readonly handlers: { [K in DomainEvent['type']]: (e: Of<K>, at: string) => void } = {
    'customer.registered': (e, at) => {
      const d = e.data;
      const c = this.touch(d.customerId, at);
      c.country = d.country;
      c.segment = d.segment;
      c.registered_at = d.registeredAt;
      this.remember(d.customerId, e, at, { segment: d.segment, country: d.country });
    },
    'order.placed': (e, at) => {
      const d = e.data;
      this.touch(d.customerId, at);
      const items = d.items.reduce((n, i) => n + i.qty, 0);
      this.orders.push({
        order_id: d.orderId, customer_id: d.customerId, total_cents: d.totalCents, currency: d.currency, ship_country: d.shipTo.country, item_count: items, placed_at: at,
        status: 'placed', warehouse_id: null, delivered_days: null,
      });
      this.remember(d.customerId, e, at, { orderId: d.orderId, totalCents: d.totalCents, currency: d.currency });
    },
    'order.delivered': (e, at) => {
      const d = e.data;
      this.touch(d.customerId, at);
      const status = d.onTime ? 'delivered-on-time' : 'delivered-late';
      if (!this.deliveries.has(d.orderId)) this.deliveries.set(d.orderId, { order_id: d.orderId, status, warehouse_id: d.warehouseId, delivered_days: d.deliveredDays });
      this.results.set(d.orderId, status);
      if (!d.onTime) this.remember(d.customerId, e, at, { orderId: d.orderId, deliveredDays: d.deliveredDays, onTime: false });
    },
    'payment.failed': (e, at) => {
      const d = e.data;
      this.touch(d.customerId, at).payments_failed++;
      this.payment(e, at, 'failed', d.reason, d.attempt);
      this.remember(d.customerId, e, at, { paymentId: d.paymentId, amountCents: d.amountCents, reason: d.reason, attempt: d.attempt });
    },
    'payment.succeeded': (e, at) => {
      this.touch(e.data.customerId, at).payments_succeeded++;
      this.payment(e, at, 'succeeded', null, null);
    },
    'inventory.level.changed': (e, at) => {
      const d = e.data;
      const key = `${d.warehouseId}\n${d.sku}`;
      const current = this.inventory.get(key);
      if (!current || notBefore(at, current.updated_at)) this.inventory.set(key, { warehouse_id: d.warehouseId, sku: d.sku, on_hand: d.onHand, updated_at: at });
    },
    'usage.reported': (e, at) => {
      const d = e.data;
      this.touch(d.accountId, at).usage_reports++;
      const key = `${d.accountId}\n${d.metric}`;
      const t = this.usageTotals.get(key);
      if (!t) this.usageTotals.set(key, { account_id: d.accountId, metric: d.metric, total: d.value, last_value: d.value, last_period_end: d.periodEnd, reports: 1 });
      else {
        t.total += d.value;
        t.reports++;
        if (notBefore(d.periodEnd, t.last_period_end)) {
          t.last_value = d.value;
          t.last_period_end = d.periodEnd;
        }
      }
      this.usage.push({ event_id: e.id, account_id: d.accountId, metric: d.metric, value: d.value, period_start: d.periodStart, period_end: d.periodEnd });
    },
    'dispute.opened': (e, at) => {
      const d = e.data;
      this.touch(d.buyerId, at).disputes_opened++;
      this.disputes.push({ dispute_id: d.disputeId, event_id: e.id, buyer_id: d.buyerId, seller_id: d.sellerId, order_id: d.orderId, amount_cents: d.amountCents, reason: d.reason, opened_at: at });
      this.remember(d.buyerId, e, at, { disputeId: d.disputeId, orderId: d.orderId, amountCents: d.amountCents, reason: d.reason });
    },
  };

  /**
   * The append-only rows folded so far (the timeline, payments, usage), taken out of the fold:
   * a bulk load writes them as it goes, while the keyed state stays here until `keyedRowsForEmptyMemory`.
   */
  takeHistories(): Record<HistoryTable, Row[]> {
    return { customer_events: this.timeline.splice(0), payment_history: this.payments.splice(0), usage_history: this.usage.splice(0) };
  }

  /**
   * Orders whose rows are final, taken out of the fold by a bulk load into empty memory as it
   * goes: placed and delivered (only an order's first delivery counts, so nothing later changes
   * the row). Each is counted in its customer's totals as `keyedRowsForEmptyMemory` counts the
   * rest, and there as here a second placement of an id counts for nothing. Looks only at what
   * was folded since the last call, and at orders still open.
   */
  takeSettledOrders(): Row[] {
    this.openPlacements();
    const rows: Row[] = [];
    for (const [id, delivery] of this.deliveries) {
      const order = this.open.get(id);
      // Delivered before it was placed (or never placed): it waits for its placement.
      if (!order) continue;
      this.open.delete(id);
      this.deliveries.delete(id);
      this.settled.add(id);
      rows.push(this.newOrderRow(order, delivery));
    }
    return rows;
  }

  /**
   * What `write` leaves in empty tables, computed here instead of by the engine: every order is
   * new (the first of each id counts), each order's first delivery applies to it, and the
   * customers' totals follow. For a bulk load of a whole history, folded as one batch, once its
   * histories and settled orders are taken.
   */
  keyedRowsForEmptyMemory(): MemoryRows {
    this.openPlacements();
    const orders: Row[] = [];
    for (const [id, order] of this.open) orders.push(this.newOrderRow(order, this.deliveries.get(id)));
    const disputes = new Map<string, Row>();
    for (const d of this.disputes) if (!disputes.has(d.dispute_id as string)) disputes.set(d.dispute_id as string, d);
    return {
      customer_orders: orders,
      customers: [...this.customers.values()] as unknown as Row[],
      dispute_history: [...disputes.values()],
      usage_totals: [...this.usageTotals.values()],
      inventory_levels: [...this.inventory.values()],
    };
  }

  /** The last delivery status of each order delivered: the fulfilment decisions' results. */
  fulfilmentResults(): { order_id: string; result: string }[] {
    return [...this.results].map(([order_id, result]) => ({ order_id, result }));
  }

  /** Orders first (their counts go only to orders new to memory), then deliveries, then the customers' totals. */
  async write(tx: SqlExecutor): Promise<void> {
    await this.writeOrders(tx);
    await this.writeDeliveries(tx);
    await this.writeCustomers(tx);
    await this.writeHistories(tx);
    await this.writeUsageTotals(tx);
    await this.writeInventory(tx);
  }

  /** Bulk load: the placements folded since the last call join the open orders, the first of each id. */
  private openPlacements(): void {
    for (const o of this.orders) {
      const id = o.order_id as string;
      if (!this.settled.has(id) && !this.open.has(id)) this.open.set(id, o);
    }
    this.orders.length = 0;
  }

  /** An order's row in empty memory (the placement's own row, completed), with its first delivery if it has one, counted in its customer's totals. */
  private newOrderRow(order: Row, delivery: Row | undefined): Row {
    const c = this.customers.get(order.customer_id as string)!;
    c.orders_count++;
    c.lifetime_value_cents += order.total_cents as number;
    if (!delivery) return order;
    if (delivery.status === 'delivered-on-time') c.deliveries_on_time++;
    else c.deliveries_late++;
    order.status = delivery.status;
    order.warehouse_id = delivery.warehouse_id;
    order.delivered_days = delivery.delivered_days;
    return order;
  }

  /**
   * The first order of each id not among `known`, as a new row of customer_orders, counted in
   * its customer's totals (a producer's duplicate, or an order memory already holds, counts once).
   */
  private newOrders(known: Set<string>): Row[] {
    const rows: Row[] = [];
    const taken = new Set<string>();
    for (const o of this.orders) {
      const id = o.order_id as string;
      if (known.has(id) || taken.has(id)) continue;
      taken.add(id);
      rows.push(o);
      const c = this.customers.get(o.customer_id as string)!;
      c.orders_count++;
      c.lifetime_value_cents += o.total_cents as number;
    }
    return rows;
  }

  private async writeOrders(tx: SqlExecutor): Promise<void> {
    if (this.orders.length === 0) return;
    const known = await existing(tx, 'customer_orders', 'order_id', this.orders.map((o) => o.order_id as string));
    await insertObjects(tx, 'customer_orders', this.newOrders(known));
  }

  private async writeDeliveries(tx: SqlExecutor): Promise<void> {
    if (this.deliveries.size === 0) return;
    const delivered = await tx.query<{ customer_id: string; status: string }>(
      `UPDATE customer_orders o SET status = r.status, warehouse_id = r.warehouse_id, delivered_days = r.delivered_days
       FROM jsonb_to_recordset($1::jsonb) AS r(order_id text, status text, warehouse_id text, delivered_days int)
       WHERE o.order_id = r.order_id AND o.status <> 'delivered-on-time' AND o.status <> 'delivered-late'
       RETURNING o.customer_id, r.status`,
      [json([...this.deliveries.values()])],
    );
    for (const d of delivered) {
      const c = this.customers.get(d.customer_id);
      if (!c) continue;
      if (d.status === 'delivered-on-time') c.deliveries_on_time++;
      else c.deliveries_late++;
    }
    await recordFulfilmentResults(tx, this.fulfilmentResults());
  }

  private async writeCustomers(tx: SqlExecutor): Promise<void> {
    if (this.customers.size === 0) return;
    await tx.query(
      `INSERT INTO customers (customer_id, first_seen, last_seen, events_count, country, segment, registered_at, orders_count, lifetime_value_cents,
         payments_failed, payments_succeeded, deliveries_on_time, deliveries_late, disputes_opened, usage_reports)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(customer_id text, first_seen timestamptz, last_seen timestamptz, events_count int, country text, segment text,
         registered_at timestamptz, orders_count int, lifetime_value_cents bigint, payments_failed int, payments_succeeded int, deliveries_on_time int, deliveries_late int,
         disputes_opened int, usage_reports int)
       ON CONFLICT (customer_id) DO UPDATE SET
         first_seen = LEAST(customers.first_seen, excluded.first_seen),
         last_seen = GREATEST(customers.last_seen, excluded.last_seen),
         events_count = customers.events_count + excluded.events_count,
         country = CASE WHEN excluded.registered_at IS NULL THEN customers.country ELSE excluded.country END,
         segment = CASE WHEN excluded.registered_at IS NULL THEN customers.segment ELSE excluded.segment END,
         registered_at = COALESCE(excluded.registered_at, customers.registered_at),
         orders_count = customers.orders_count + excluded.orders_count,
         lifetime_value_cents = customers.lifetime_value_cents + excluded.lifetime_value_cents,
         payments_failed = customers.payments_failed + excluded.payments_failed,
         payments_succeeded = customers.payments_succeeded + excluded.payments_succeeded,
         deliveries_on_time = customers.deliveries_on_time + excluded.deliveries_on_time,
         deliveries_late = customers.deliveries_late + excluded.deliveries_late,
         disputes_opened = customers.disputes_opened + excluded.disputes_opened,
         usage_reports = customers.usage_reports + excluded.usage_reports`,
      [json([...this.customers.values()])],
    );
  }

  /** The histories are appended: each event is folded once (its id is claimed first), so none of their rows can be there already. */
  private async writeHistories(tx: SqlExecutor): Promise<void> {
    for (const [table, rows] of Object.entries(this.takeHistories())) await insertObjects(tx, table, rows);
    if (this.disputes.length === 0) return;
    // A dispute is opened once: a second opening under another event id changes nothing.
    await tx.query(
      `INSERT INTO dispute_history (dispute_id, event_id, buyer_id, seller_id, order_id, amount_cents, reason, opened_at)
       SELECT DISTINCT ON (dispute_id) dispute_id, event_id, buyer_id, seller_id, order_id, amount_cents, reason, opened_at
       FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (dispute_id text, event_id text, buyer_id text, seller_id text, order_id text, amount_cents bigint, reason text, opened_at timestamptz))
         WITH ORDINALITY AS r(dispute_id, event_id, buyer_id, seller_id, order_id, amount_cents, reason, opened_at, n)
       ORDER BY dispute_id, n ON CONFLICT DO NOTHING`,
      [json(this.disputes)],
    );
  }

  private async writeUsageTotals(tx: SqlExecutor): Promise<void> {
    if (this.usageTotals.size === 0) return;
    await tx.query(
      `INSERT INTO usage_totals (account_id, metric, total, last_value, last_period_end, reports)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(account_id text, metric text, total bigint, last_value bigint, last_period_end timestamptz, reports int)
       ON CONFLICT (account_id, metric) DO UPDATE SET total = usage_totals.total + excluded.total, reports = usage_totals.reports + excluded.reports,
         last_value = CASE WHEN excluded.last_period_end >= usage_totals.last_period_end THEN excluded.last_value ELSE usage_totals.last_value END,
         last_period_end = GREATEST(usage_totals.last_period_end, excluded.last_period_end)`,
      [json([...this.usageTotals.values()])],
    );
  }

  private async writeInventory(tx: SqlExecutor): Promise<void> {
    if (this.inventory.size === 0) return;
    await tx.query(
      `INSERT INTO inventory_levels (warehouse_id, sku, on_hand, updated_at)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(warehouse_id text, sku text, on_hand bigint, updated_at timestamptz)
       ON CONFLICT (warehouse_id, sku) DO UPDATE SET on_hand = excluded.on_hand, updated_at = excluded.updated_at
       WHERE inventory_levels.updated_at <= excluded.updated_at`,
      [json([...this.inventory.values()])],
    );
  }
}

/** The fulfilment decisions learn how their orders were delivered. */
export async function recordFulfilmentResults(tx: SqlExecutor, results: { order_id: string; result: string }[]): Promise<void> {
  if (results.length === 0) return;
  await tx.query(
    `UPDATE decisions d SET result = r.result FROM jsonb_to_recordset($1::jsonb) AS r(order_id text, result text)
     WHERE d.subject_ref = r.order_id AND d.decision_point = 'order.fulfillment'`,
    [json(results)],
  );
}
