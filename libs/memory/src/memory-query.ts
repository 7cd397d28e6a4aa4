import type { MemorySection } from './memory-reader';

/** How many reports per metric a trend looks back over. */
export const USAGE_WINDOW = 8;
/** How many payment attempts back memory looks: counts and streaks are capped at it. */
export const PAYMENT_WINDOW = 50;

export interface MemoryQueryArgs {
  customerId: string;
  exclude: string;
  asOf: string;
  orders: number;
  events: number;
  decisions: number;
}

interface SectionSql {
  /** Parameters the subquery uses, by name, in the order of its placeholders. */
  params: (keyof MemoryQueryArgs | 'paymentWindow' | 'usageWindow')[];
  sql: (p: string[]) => string;
}

/** Each section as a JSON array, rows in the order a decision reads them. */
const SECTIONS: Record<MemorySection, SectionSql> = {
  orders: {
    params: ['customerId', 'orders'],
    sql: ([c, n]) => `(SELECT COALESCE(json_agg(t ORDER BY t.placed_at DESC, t.order_id), '[]') FROM (
      SELECT order_id, total_cents, currency, status, warehouse_id, placed_at FROM customer_orders WHERE customer_id = ${c} ORDER BY placed_at DESC, order_id LIMIT ${n}) t)`,
  },
  events: {
    params: ['customerId', 'exclude', 'events'],
    sql: ([c, x, n]) => `(SELECT COALESCE(json_agg(t ORDER BY t.occurred_at DESC, t.event_id), '[]') FROM (
      SELECT event_id, type, occurred_at, summary FROM customer_events WHERE customer_id = ${c} AND event_id <> ${x} ORDER BY occurred_at DESC, event_id LIMIT ${n}) t)`,
  },
  usage: {
    params: ['customerId'],
    sql: ([c]) => `(SELECT COALESCE(json_agg(t ORDER BY t.metric), '[]') FROM (SELECT metric, total, last_value, reports FROM usage_totals WHERE account_id = ${c}) t)`,
  },
  decisions: {
    params: ['customerId', 'decisions'],
    sql: ([c, n]) => `(SELECT COALESCE(json_agg(t ORDER BY t.position DESC), '[]') FROM (
      SELECT decision_id, decision_point, outcome, action, result, decided_at, position FROM decisions WHERE customer_id = ${c} ORDER BY position DESC LIMIT ${n}) t)`,
  },
  payments: {
    params: ['customerId', 'exclude', 'asOf', 'paymentWindow'],
    sql: ([c, x, at, n]) => `(SELECT COALESCE(json_agg(t ORDER BY t.occurred_at DESC, t.event_id DESC), '[]') FROM (
      SELECT payment_id, order_id, amount_cents, outcome, reason, attempt, occurred_at, event_id FROM payment_history
      WHERE customer_id = ${c} AND event_id <> ${x} AND occurred_at <= ${at}::timestamptz ORDER BY occurred_at DESC, event_id DESC LIMIT ${n}) t)`,
  },
  usageTrends: {
    params: ['customerId', 'exclude', 'asOf', 'usageWindow'],
    sql: ([c, x, at, n]) => `(SELECT COALESCE(json_agg(t ORDER BY t.metric, t.rn), '[]') FROM (
      SELECT metric, value, n, rn FROM (
        SELECT metric, value, row_number() OVER (PARTITION BY metric ORDER BY period_end DESC, event_id) AS rn, COUNT(*) OVER (PARTITION BY metric) AS n
        FROM usage_history WHERE account_id = ${c} AND event_id <> ${x} AND period_end <= ${at}::timestamptz) w WHERE rn <= ${n}) t)`,
  },
  disputes: {
    params: ['customerId', 'exclude', 'asOf'],
    sql: ([c, x, at]) => `(SELECT COALESCE(json_agg(t ORDER BY t.opened_at DESC, t.dispute_id), '[]') FROM (
      SELECT dispute_id, order_id, seller_id, amount_cents, reason, opened_at FROM dispute_history
      WHERE buyer_id = ${c} AND event_id <> ${x} AND opened_at <= ${at}::timestamptz AND opened_at > ${at}::timestamptz - interval '365 days'
      ORDER BY opened_at DESC, dispute_id LIMIT 200) t)`,
  },
};

const cache = new Map<string, { sql: string; params: string[] }>();

/**
 * One statement for a customer's whole memory: the profile row and each section asked for as a
 * JSON array. One round trip instead of one per section, which is most of what reading memory
 * costs on the embedded engine.
 */
export function memoryQuery(sections: readonly MemorySection[], args: MemoryQueryArgs): { sql: string; params: unknown[] } {
  const key = sections.join(',');
  let built = cache.get(key);
  if (!built) {
    const names: string[] = [];
    const placeholder = (name: string) => {
      const at = names.indexOf(name);
      return `$${at === -1 ? names.push(name) : at + 1}`;
    };
    const columns = [`(SELECT row_to_json(c) FROM customers c WHERE customer_id = ${placeholder('customerId')}) AS customer`];
    for (const s of sections) columns.push(`${SECTIONS[s].sql(SECTIONS[s].params.map(placeholder))} AS "${s}"`);
    built = { sql: `SELECT ${columns.join(',\n')}`, params: names };
    cache.set(key, built);
  }
  const values: Record<string, unknown> = { ...args, paymentWindow: PAYMENT_WINDOW, usageWindow: USAGE_WINDOW };
  return { sql: built.sql, params: built.params.map((name) => values[name]) };
}
