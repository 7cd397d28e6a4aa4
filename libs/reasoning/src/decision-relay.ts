import { Bus, DEDUPE_HEADER } from '@arbiter/bus';
import { DECISIONS_TOPIC, DECISION_EVENT_TYPE, DecisionMadeData } from '@arbiter/contracts';
import type { EventStore } from '@arbiter/event-store';
import { DECISIONS_CHAIN_PREFIX, LedgerRecord, ledgerEventType, parseRecord } from '@arbiter/ledger';
import { StoreProjectionRunner } from '@arbiter/memory';
import type { ReadModelStore } from '@arbiter/read-models';
import { Logger, silentLogger } from '@arbiter/telemetry';

export const RELAY_CHECKPOINT = 'decision-relay';

interface DecisionBody {
  decisionId: string;
  decisionPoint: string;
  trigger: { eventId: string; type: string; topic?: string | null; partition?: number | null; offset?: string | null };
  verdict: { outcome: DecisionMadeData['outcome'] };
  action: DecisionMadeData['action'];
}

/** The `arbiter.decision.made` CloudEvent for a decision record. */
export function decisionCloudEvent(record: LedgerRecord, source: string) {
  const body = record.body as unknown as DecisionBody;
  const data: DecisionMadeData = {
    decisionId: body.decisionId,
    decisionPoint: body.decisionPoint,
    trigger: { eventId: body.trigger.eventId, type: body.trigger.type, topic: body.trigger.topic ?? null, partition: body.trigger.partition ?? null, offset: body.trigger.offset ?? null },
    action: body.action,
    outcome: body.verdict.outcome,
    ledger: { chain: record.chain, seq: record.seq, hash: record.hash },
  };
  return {
    specversion: '1.0' as const,
    id: body.decisionId,
    source,
    type: DECISION_EVENT_TYPE,
    subject: record.chain.slice(DECISIONS_CHAIN_PREFIX.length),
    time: record.time,
    datacontenttype: 'application/json',
    data,
  };
}

/**
 * Append first, publish after: a catch-up subscription over the ledger relays each final
 * decision to `arbiter.decisions`, checkpointing as it goes. After a crash it re-sends from the
 * checkpoint; the dedupe header keeps that to one message per decision.
 */
export function decisionRelay(store: EventStore, bus: Bus, readModels: ReadModelStore, ledger: string, logger: Logger = silentLogger): StoreProjectionRunner {
  const source = `arbiter/${ledger}`;
  return new StoreProjectionRunner({
    store,
    readModels,
    projection: RELAY_CHECKPOINT,
    eventTypePrefixes: [ledgerEventType('decision')],
    // One relay at a time across all reasoner processes: two would both send every decision.
    exclusive: true,
    logger,
    apply: async (_tx, event) => {
      const record = parseRecord(Buffer.from(event.data).toString('utf8'));
      if ((record.body as unknown as DecisionBody).verdict.outcome === 'escalated') return;
      const cloudEvent = decisionCloudEvent(record, source);
      await bus.publish(DECISIONS_TOPIC, [
        {
          key: cloudEvent.subject,
          value: JSON.stringify(cloudEvent),
          headers: { [DEDUPE_HEADER]: cloudEvent.id, 'content-type': 'application/cloudevents+json', 'ce-type': DECISION_EVENT_TYPE },
        },
      ]);
    },
  });
}
