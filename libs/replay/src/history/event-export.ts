import type { Action } from '@arbiter/contracts';
import { EventStore, Position, positionToString } from '@arbiter/event-store';
import { DECISIONS_CHAIN_PREFIX, LedgerRecord, ledgerEventType } from '@arbiter/ledger';
import { ArchivedMetadata, DOMAIN_EVENT_TYPE_PREFIX, archivedDomainEvent } from '@arbiter/memory';
import { decisionPoints } from '@arbiter/reasoning';
import { recordedDecisionOf } from '../recorded/recorded-decision';
import { TimeRange, withinRange } from '../time-range';

export const EXPORT_KINDS = ['domain', 'decisions', 'all'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

/**
 * What to export. Times are when things happened: a domain event's CloudEvent `time` (or when
 * the bus took it), a decision's trigger time. A decision-point filter keeps the decisions of
 * those points and the domain events that trigger them.
 */
export interface ExportFilter {
  kind: ExportKind;
  range?: TimeRange;
  customers?: string[];
  decisionPoints?: string[];
}

export interface DomainEventRow {
  kind: 'domain';
  position: string;
  at: string;
  customer: string | null;
  type: string;
  id: string;
  where: ArchivedMetadata;
  event: unknown;
}

export interface DecisionRow {
  kind: 'decision';
  position: string;
  at: string;
  customer: string;
  decisionId: string;
  decisionPoint: string;
  outcome: string;
  action: Action | null;
  pendingAction: Action | null;
  trigger: { eventId: string; type: string; digest: string };
  policy: { id: string; version: number; digest: string };
  reasoner: string;
  ledger: { chain: string; seq: number; hash: string; time: string };
  /** The signed record as stored, so an export can be checked against the ledger. */
  record: LedgerRecord;
}

export type ExportRow = DomainEventRow | DecisionRow;

const DECISION_EVENT_TYPE = ledgerEventType('decision');

function triggerTypesOf(points: string[]): Set<string> {
  return new Set(decisionPoints.filter((p) => points.includes(p.id)).flatMap((p) => [...p.triggers]));
}

/** The domain events and decisions in the store's global order, as the filter asks; the store is only read. */
export async function* exportRows(store: EventStore, filter: ExportFilter, onPosition?: (p: Position) => void): AsyncIterable<ExportRow> {
  const prefixes = [...(filter.kind !== 'decisions' ? [DOMAIN_EVENT_TYPE_PREFIX] : []), ...(filter.kind !== 'domain' ? [DECISION_EVENT_TYPE] : [])];
  const customers = filter.customers?.length ? new Set(filter.customers) : null;
  const points = filter.decisionPoints?.length ? filter.decisionPoints : null;
  const triggering = points ? triggerTypesOf(points) : null;
  const range = filter.range ?? {};
  for await (const stored of store.readAll({ filter: { eventTypePrefixes: prefixes } })) {
    onPosition?.(stored.position);
    if (stored.type === DECISION_EVENT_TYPE) {
      if (!stored.stream.startsWith(DECISIONS_CHAIN_PREFIX)) continue;
      if (customers && !customers.has(stored.stream.slice(DECISIONS_CHAIN_PREFIX.length))) continue;
      const record = JSON.parse(Buffer.from(stored.data).toString('utf8')) as LedgerRecord;
      const d = recordedDecisionOf(record, positionToString(stored.position));
      if ((points && !points.includes(d.decisionPoint)) || !withinRange(range, d.triggerTime)) continue;
      yield {
        kind: 'decision',
        position: d.ledger.position,
        at: d.triggerTime,
        customer: d.customer,
        decisionId: d.decisionId,
        decisionPoint: d.decisionPoint,
        outcome: d.verdict.outcome,
        action: d.verdict.action,
        pendingAction: d.verdict.pending?.action ?? null,
        trigger: { eventId: d.trigger.eventId, type: d.trigger.type, digest: d.trigger.digest },
        policy: d.policy,
        reasoner: d.reasoner.kind,
        ledger: { chain: d.ledger.chain, seq: d.ledger.seq, hash: d.ledger.hash, time: d.ledger.time },
        record,
      };
      continue;
    }
    const type = stored.type.slice(DOMAIN_EVENT_TYPE_PREFIX.length);
    if (triggering && !triggering.has(type)) continue;
    const { event, at, metadata } = archivedDomainEvent(stored);
    if ((customers && !customers.has(event.subject)) || !withinRange(range, at)) continue;
    yield { kind: 'domain', position: positionToString(stored.position), at, customer: event.subject ?? null, type: event.type, id: event.id, where: metadata, event };
  }
}

/** One row as a line of NDJSON. */
export function ndjsonLine(row: ExportRow): string {
  return JSON.stringify(row) + '\n';
}

export const CSV_COLUMNS = ['kind', 'position', 'at', 'customer', 'type', 'id', 'decision_point', 'outcome', 'action_type', 'action_params', 'topic', 'partition', 'offset', 'chain', 'seq', 'hash', 'data'] as const;

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvHeader(): string {
  return CSV_COLUMNS.join(',') + '\r\n';
}

/** One row as a CSV line: the columns of both kinds, empty where a kind has none; `data` is the event's data, or the decision's record body, as JSON. */
export function csvLine(row: ExportRow): string {
  const action = row.kind === 'decision' ? (row.action ?? row.pendingAction) : null;
  const cells: Record<(typeof CSV_COLUMNS)[number], unknown> =
    row.kind === 'domain'
      ? { kind: row.kind, position: row.position, at: row.at, customer: row.customer, type: row.type, id: row.id, decision_point: null, outcome: null, action_type: null, action_params: null, topic: row.where.topic, partition: row.where.partition, offset: row.where.offset, chain: null, seq: null, hash: null, data: (row.event as { data?: unknown }).data ?? null }
      : { kind: row.kind, position: row.position, at: row.at, customer: row.customer, type: row.trigger.type, id: row.decisionId, decision_point: row.decisionPoint, outcome: row.outcome, action_type: action?.type ?? null, action_params: action?.params ?? null, topic: null, partition: null, offset: null, chain: row.ledger.chain, seq: row.ledger.seq, hash: row.ledger.hash, data: row.record.body };
  return CSV_COLUMNS.map((c) => csvField(cells[c])).join(',') + '\r\n';
}
