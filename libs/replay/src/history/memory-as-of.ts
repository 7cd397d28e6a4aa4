import { EventStore, Position } from '@arbiter/event-store';
import { LedgerRecord, ledgerEventType } from '@arbiter/ledger';
import { CustomerMemory, DOMAIN_EVENT_TYPE_PREFIX, MemoryReader, PositionedRecord, TimedEvent, archivedTimedEvent, projectDomainBatch, projectLedgerBatch } from '@arbiter/memory';
import type { ReadModelStore } from '@arbiter/read-models';
import { triggerTimeOf } from '../recorded/recorded-decision';

export interface MemoryAsOfProgress {
  events: number;
  /** Share of the store read, 0..1, by position. */
  fraction: number;
}

export interface FoldedHistory {
  asOf: string;
  /** Domain events folded (those that happened at or before `asOf`), and decision records. */
  events: number;
  decisions: number;
  /** Archived events left out because they happened later. */
  later: number;
}

const DECISION_EVENT_TYPE = ledgerEventType('decision');

const BATCH = 5_000;

/**
 * Customer memory as it stood at `asOf`: every archived domain event that happened at or before
 * it (its CloudEvent `time`, or when the bus took it) and every decision about a trigger that
 * happened by then, folded
 * in store order into `readModels` — a sandbox's, migrated and empty — with the projector's own
 * code. The store is only read.
 */
export async function foldHistoryAsOf(store: EventStore, readModels: ReadModelStore, asOf: number, options: { onProgress?: (p: MemoryAsOfProgress) => void } = {}): Promise<FoldedHistory> {
  const head = await store.headPosition();
  const fraction = (p: Position) => (head && head.commit > 0n ? Math.min(1, Number((p.commit * 10_000n) / head.commit) / 10_000) : 1);
  const folded: FoldedHistory = { asOf: new Date(asOf).toISOString(), events: 0, decisions: 0, later: 0 };
  let domain: TimedEvent[] = [];
  let decisions: PositionedRecord[] = [];
  const flush = async (last: Position | null) => {
    // Domain events before decisions, as the live projections have them: a decision's result joins the order it is about.
    if (domain.length) await readModels.transaction((tx) => projectDomainBatch(tx, domain));
    if (decisions.length) await readModels.transaction((tx) => projectLedgerBatch(tx, decisions));
    folded.events += domain.length;
    folded.decisions += decisions.length;
    domain = [];
    decisions = [];
    if (last) options.onProgress?.({ events: folded.events + folded.decisions, fraction: fraction(last) });
  };
  let last: Position | null = null;
  for await (const stored of store.readAll({ filter: { eventTypePrefixes: [DOMAIN_EVENT_TYPE_PREFIX, DECISION_EVENT_TYPE] } })) {
    last = stored.position;
    if (stored.type === DECISION_EVENT_TYPE) {
      const text = Buffer.from(stored.data).toString('utf8');
      const record = JSON.parse(text) as LedgerRecord;
      if (Date.parse(triggerTimeOf(record)) <= asOf) decisions.push({ record, text, position: stored.position.commit });
    } else {
      const archived = archivedTimedEvent(stored);
      if (Date.parse(archived.at) <= asOf) domain.push(archived);
      else folded.later++;
    }
    if (domain.length + decisions.length >= BATCH) await flush(last);
  }
  await flush(last);
  options.onProgress?.({ events: folded.events + folded.decisions, fraction: 1 });
  return folded;
}

/** One customer's memory from a folded sandbox, described as of `asOf` (ages and windows count back from it). */
export function memoryAsOf(readModels: ReadModelStore, customerId: string, asOf: number): Promise<CustomerMemory> {
  return new MemoryReader(readModels).customerMemory(customerId, { asOf: new Date(asOf).toISOString() });
}

export interface KnownCustomer {
  customerId: string;
  firstSeen: string | null;
  events: number;
  orders: number;
  lifetimeValueCents: number;
}

/** The customers a folded sandbox knows, by id. */
export async function knownCustomers(readModels: ReadModelStore, limit: number): Promise<{ total: number; customers: KnownCustomer[] }> {
  const [{ n }] = await readModels.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM customers');
  const rows = await readModels.query<{ customer_id: string; first_seen: Date | string | null; events_count: number; orders_count: number; lifetime_value_cents: number | string }>(
    'SELECT customer_id, first_seen, events_count, orders_count, lifetime_value_cents FROM customers ORDER BY customer_id LIMIT $1',
    [limit],
  );
  return {
    total: Number(n),
    customers: rows.map((r) => ({
      customerId: r.customer_id,
      firstSeen: r.first_seen == null ? null : new Date(r.first_seen).toISOString(),
      events: Number(r.events_count),
      orders: Number(r.orders_count),
      lifetimeValueCents: Number(r.lifetime_value_cents),
    })),
  };
}
