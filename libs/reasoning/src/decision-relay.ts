import { Bus, DEDUPE_HEADER, OutgoingMessage } from '@arbiter/bus';
import { DECISIONS_TOPIC, DECISION_EVENT_TYPE, DecisionMadeData } from '@arbiter/contracts';
import type { EventStore, StoredEvent } from '@arbiter/event-store';
import { DECISIONS_CHAIN_PREFIX, LedgerRecord, ledgerEventType, readStoredRecord } from '@arbiter/ledger';
import { StoreProjectionRunner } from '@arbiter/memory';
import type { ReadModelStore } from '@arbiter/read-models';
import { Logger, silentLogger } from '@arbiter/telemetry';
import { DecisionBody, decisionBodyOf, reviewBodyOf } from './review/decision-body';
import type { ReviewDesk } from './review/review-desk';
import { projectReviewQueue } from './review/review-queue';

export const RELAY_CHECKPOINT = 'decision-relay';

const triggerOf = (t: DecisionBody['trigger']): DecisionMadeData['trigger'] => ({
  eventId: t.eventId,
  type: t.type,
  topic: t.topic ?? null,
  partition: t.partition ?? null,
  offset: t.offset ?? null,
});

/**
 * The `arbiter.decision.made` CloudEvent for a final decision: a decision record that needed no
 * human, or the review record that settled an escalated one (its action, its outcome).
 */
export function decisionCloudEvent(record: LedgerRecord, source: string) {
  let data: DecisionMadeData;
  if (record.type === 'review') {
    const review = reviewBodyOf(record);
    data = {
      decisionId: review.decisionId,
      decisionPoint: review.decisionPoint,
      trigger: triggerOf(review.trigger),
      action: review.action,
      outcome: review.outcome,
      ledger: { chain: record.chain, seq: record.seq, hash: record.hash },
      review: { verdict: review.verdict, reviewer: review.reviewer, timedOut: review.timedOut, decision: review.decision },
    };
  } else {
    const body = decisionBodyOf(record);
    data = {
      decisionId: body.decisionId,
      decisionPoint: body.decisionPoint,
      trigger: triggerOf(body.trigger),
      action: body.action,
      outcome: body.verdict.outcome,
      ledger: { chain: record.chain, seq: record.seq, hash: record.hash },
    };
  }
  return {
    specversion: '1.0' as const,
    id: data.decisionId,
    source,
    type: DECISION_EVENT_TYPE,
    subject: record.chain.slice(DECISIONS_CHAIN_PREFIX.length),
    time: record.time,
    datacontenttype: 'application/json',
    data,
  };
}

/** True when the record makes a decision final: not escalated, or the review of an escalated one. */
export function isFinal(record: LedgerRecord): boolean {
  if (record.type === 'review') return true;
  return record.type === 'decision' && decisionBodyOf(record).verdict.outcome !== 'escalated';
}

export interface RelayOptions {
  /** Settles overdue reviews with the policy's default while the relay runs. */
  reviews?: ReviewDesk;
  sweepEveryMs?: number;
}

/**
 * Append first, publish after: a catch-up subscription over the ledger relays each final
 * decision to `arbiter.decisions`, checkpointing as it goes. After a crash it re-sends from the
 * checkpoint; the dedupe header keeps that to one message per decision. Escalated decisions wait
 * in the review queue (kept in the same transaction as the checkpoint) and go out once reviewed.
 */
export class DecisionRelay extends StoreProjectionRunner {
  private sweeper: NodeJS.Timeout | null = null;
  private sweeping: Promise<unknown> = Promise.resolve();

  constructor(
    store: EventStore,
    bus: Bus,
    readModels: ReadModelStore,
    ledger: string,
    private readonly relayLogger: Logger = silentLogger,
    private readonly relayOptions: RelayOptions = {},
  ) {
    const source = `arbiter/${ledger}`;
    // Each record is read once, for the publish and then for the review queue.
    const records = new WeakMap<StoredEvent, LedgerRecord>();
    const recordOf = (event: StoredEvent): LedgerRecord => {
      let record = records.get(event);
      if (!record) records.set(event, (record = readStoredRecord(Buffer.from(event.data).toString('utf8'))));
      return record;
    };
    const decisionRecords = (events: StoredEvent[]) => events.map(recordOf).filter((r) => r.chain.startsWith(DECISIONS_CHAIN_PREFIX));
    super({
      store,
      readModels,
      projection: RELAY_CHECKPOINT,
      eventTypePrefixes: [ledgerEventType('decision'), ledgerEventType('review')],
      // One relay at a time across all reasoner processes: two would both send every decision.
      exclusive: true,
      logger: relayLogger,
      // A service waits on each decision: a batch goes out as soon as the previous one is out.
      flushAfterMs: 0,
      // A batch of final decisions goes out in one publish: one round trip (or one sync to disk)
      // for all of them; the checkpoint moves only after the publish succeeded. It goes out before
      // the transaction opens, so memory reads on the read-model engine do not wait on the bus.
      beforeBatch: async (events) => {
        const messages: OutgoingMessage[] = [];
        for (const record of decisionRecords(events)) {
          if (!isFinal(record)) continue;
          const cloudEvent = decisionCloudEvent(record, source);
          messages.push({
            key: cloudEvent.subject,
            value: JSON.stringify(cloudEvent),
            headers: { [DEDUPE_HEADER]: cloudEvent.id, 'content-type': 'application/cloudevents+json', 'ce-type': DECISION_EVENT_TYPE },
          });
        }
        await bus.publish(DECISIONS_TOPIC, messages);
      },
      applyBatch: async (tx, events) => {
        for (const record of decisionRecords(events)) await projectReviewQueue(tx, record);
      },
    });
  }

  override async start(): Promise<void> {
    await super.start();
    const desk = this.relayOptions.reviews;
    if (!desk) return;
    // Every process sweeps: a timeout review has a fixed id, so two sweepers write it once.
    this.sweeper = setInterval(() => {
      this.sweeping = this.sweeping
        .then(() => desk.expireOverdue())
        .catch((e: Error) => this.relayLogger.error('review timeouts could not be applied', { error: e.message }));
    }, this.relayOptions.sweepEveryMs ?? 5_000);
    this.sweeper.unref();
  }

  override async stop(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    await this.sweeping;
    await super.stop();
  }
}

export function decisionRelay(store: EventStore, bus: Bus, readModels: ReadModelStore, ledger: string, logger: Logger = silentLogger, options: RelayOptions = {}): DecisionRelay {
  return new DecisionRelay(store, bus, readModels, ledger, logger, options);
}
