import { EventStore, Position, TextEvent, comparePositions, readAllText } from '@arbiter/event-store';
import { DECISIONS_CHAIN_PREFIX, LedgerRecord, ledgerEventType } from '@arbiter/ledger';
import { DOMAIN_EVENT_TYPE_PREFIX } from '@arbiter/memory';
import { TimeRange, withinRange } from '../time-range';
import { RecordedDecision, recordedDecisionOf } from './recorded-decision';

/** Which recorded decisions to take: customers, decision points and when their triggers happened (all when empty). */
export interface DecisionFilter {
  customers?: string[];
  decisionPoints?: string[];
  range?: TimeRange;
}

const DECISION_EVENT_TYPE = ledgerEventType('decision');

export interface StoredDecisionsOptions {
  after: Position | 'start';
  until: Position | null;
  customers?: string[];
  /**
   * Archived domain events of these CloudEvent types are handed to `seen` as the ledger is read:
   * triggers are archived close to their decisions, so most are found without reading again.
   */
  archived?: { types: string[]; seen: (event: TextEvent) => void };
}

/**
 * The stored decision records of the ledger in the store's global commit order (the order they
 * were decided in), after `after` and up to `until`, of the customers asked for, in one pass with
 * the archived triggers. They are read as text pages and left unparsed: parsing is most of a
 * replay's reading, and may happen on another thread.
 */
export async function* storedDecisions(store: EventStore, options: StoredDecisionsOptions): AsyncIterable<TextEvent> {
  if (!options.until) return;
  const chains = options.customers?.length ? new Set(options.customers.map((c) => `${DECISIONS_CHAIN_PREFIX}${c}`)) : null;
  const archived = (options.archived?.types ?? []).map((t) => `${DOMAIN_EVENT_TYPE_PREFIX}${t}`);
  for await (const page of readAllText(store, { after: options.after, filter: { eventTypePrefixes: [DECISION_EVENT_TYPE, ...archived] } })) {
    for (const event of page) {
      if (comparePositions(event.position, options.until) > 0) return;
      if (event.type !== DECISION_EVENT_TYPE) {
        options.archived!.seen(event);
        continue;
      }
      if (!event.stream.startsWith(DECISIONS_CHAIN_PREFIX) || (chains && !chains.has(event.stream))) continue;
      yield event;
    }
  }
}

/**
 * A stored decision record, read; null when the filter's decision points or time range leave it
 * out. Records are parsed with the plain JSON parser: a replay reads what was written, and
 * `arbiter audit verify` is what checks it.
 */
export function readDecision(text: string, position: string, filter: Pick<DecisionFilter, 'decisionPoints' | 'range'>): RecordedDecision | null {
  const record = JSON.parse(text) as LedgerRecord;
  const decision = recordedDecisionOf(record, position);
  if (filter.decisionPoints?.length && !filter.decisionPoints.includes(decision.decisionPoint)) return null;
  if (filter.range && !withinRange(filter.range, decision.triggerTime)) return null;
  return decision;
}
