import { Batch, Consumer, consumeWithRestarts } from '@arbiter/bus';
import { ContractViolation, DomainEvent, decodeDomainEvent, domainTopics } from '@arbiter/contracts';
import { StreamNotFoundError } from '@arbiter/event-store';
import { LedgerRecord, uuidV5 } from '@arbiter/ledger';
import { PolicyBook } from '@arbiter/policy';
import { Decided, DecisionEngine, RecordedCase, decisionPoints } from '@arbiter/reasoning';
import { Logger, Metrics, silentLogger } from '@arbiter/telemetry';
import { replayModelReasoner } from '../analysts/sandbox';
import type { ArbiterCore } from '../arbiter-core';
import { ShadowComparison, compareDecisions } from './shadow-comparison';
import { ShadowLedger, openShadowLedger } from './shadow-ledger';
import { PointAgreement, ShadowTally } from './shadow-tally';

/** The shadow's own consumer group: it reads the domain topics beside the live reasoner, at its own pace. */
export function shadowGroup(ledgerId: string): string {
  return `${ledgerId}.shadow`;
}

/** Where comparisons are kept in the shadow store (not a ledger chain): the tally survives a restart. */
export const COMPARISONS_STREAM = 'shadow-comparisons';
const COMPARISON_TYPE = 'arbiter.shadow.comparison';
const MATCH_EVERY_MS = 250;
/** A shadow decision whose live counterpart has not appeared by then is given up on (the live side may not decide that point). */
const GIVE_UP_AFTER_MS = 10 * 60_000;
/** How long a shadow decision waits for the live one's case before gathering its own. */
const LIVE_CASE_WAIT_MS = 30_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ShadowStatus {
  enabled: true;
  ledger: string;
  dataDir: string;
  rootDid: string;
  policies: { decisionPoint: string; policyId: string; version: number; digest: string }[];
  compared: number;
  disagreed: number;
  disagreementRate: number;
  /** Shadow decisions still waiting for the live decision to compare with. */
  waiting: number;
  points: PointAgreement[];
  recentDisagreements: ShadowComparison[];
}

/**
 * Candidate policies on live traffic: a consumer of the domain topics with a decision engine of
 * its own, writing to the shadow ledger only. Each shadow decision is set against the live
 * decision for the same trigger and decision point once that is in the audit views. Nothing it
 * decides is relayed or executed: no relay reads the shadow store, and it publishes nothing
 * (invalid events are the live reasoner's to dead-letter).
 */
export class ShadowMode {
  private consumer: Consumer | null = null;
  private timer: NodeJS.Timeout | null = null;
  private matching: Promise<void> = Promise.resolve();
  private readonly waiting = new Map<string, { record: LedgerRecord; since: number }>();
  private stopping = false;

  private constructor(
    private readonly core: ArbiterCore,
    private readonly ledger: ShadowLedger,
    private readonly policies: PolicyBook,
    private readonly engine: DecisionEngine,
    private readonly tally: ShadowTally,
    private readonly logger: Logger,
  ) {}

  static async start(core: ArbiterCore, policiesDir: string, logger: Logger = silentLogger): Promise<ShadowMode> {
    const policies = PolicyBook.load(policiesDir);
    const { platform } = core;
    const ledger = await openShadowLedger(platform, policies);
    let shadow: ShadowMode | null = null;
    const engine = new DecisionEngine({
      // The memory and facts the live decision recorded: the shadow differs from it by policy alone, not by when it ran.
      caseOf: (decisionId, point) => shadow?.liveCase(decisionId, point) ?? Promise.resolve(null),
      writer: ledger.writer,
      policies,
      points: decisionPoints,
      memory: core.memory,
      signer: ledger.signer,
      clock: platform.clock,
      reasoner: replayModelReasoner(platform.config, logger) ?? undefined,
      logger,
      // Metrics of its own: the live decision counters and latencies must count live decisions only.
      metrics: new Metrics(),
    });
    shadow = new ShadowMode(core, ledger, policies, engine, await restoreTally(ledger), logger);
    shadow.consumer = consumeWithRestarts(
      platform.bus,
      { group: shadowGroup(platform.config.ledgerId), topics: domainTopics, eachBatch: (batch) => shadow.decide(batch) },
      { onFailure: (e, attempt) => logger.error('shadow consumer failed; restarting from its committed offsets', { error: (e as Error).message, attempt }) },
    );
    shadow.timer = setInterval(() => void shadow.matchSoon(), MATCH_EVERY_MS);
    logger.info('shadow policies running on live traffic', { ledger: ledger.ledgerId, policies: policies.all().map((p) => `${p.document.policyId}@${p.document.version}`) });
    return shadow;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.consumer?.stop();
    this.consumer = null;
    await this.matchSoon();
    await this.ledger.store.close();
  }

  /** Domain events the shadow has not decided on yet. */
  lag(): Promise<bigint> {
    return this.core.platform.bus.lag(shadowGroup(this.core.platform.config.ledgerId), domainTopics);
  }

  get store() {
    return this.ledger.store;
  }

  status(recent = 20): ShadowStatus {
    const points = this.tally.points();
    const compared = points.reduce((n, p) => n + p.compared, 0);
    const disagreed = points.reduce((n, p) => n + p.disagreed, 0);
    return {
      enabled: true,
      ledger: this.ledger.ledgerId,
      dataDir: this.ledger.dir,
      rootDid: this.ledger.rootDid,
      policies: this.policies.all().map((p) => ({ decisionPoint: p.document.decisionPoint, policyId: p.document.policyId, version: p.document.version, digest: p.digest })),
      compared,
      disagreed,
      disagreementRate: compared ? Number((disagreed / compared).toFixed(4)) : 0,
      waiting: this.waiting.size,
      points,
      recentDisagreements: this.tally.recentDisagreements(recent),
    };
  }

  /** The case the live decision was made on, once it is in the audit views; null when it does not come in time or never will. */
  private async liveCase(decisionId: string, point: string): Promise<RecordedCase | null> {
    // No live policy governs the point: there is no live decision to wait for.
    if (!this.core.policies.forPoint(point)) return null;
    const deadline = Date.now() + LIVE_CASE_WAIT_MS;
    for (;;) {
      const rows = await this.core.platform.readModels.query<{ record: string }>('SELECT record FROM decisions WHERE decision_id = $1', [decisionId]);
      if (rows.length > 0) {
        const context = (JSON.parse(String(rows[0].record)) as LedgerRecord).body.context as Partial<RecordedCase> | undefined;
        return context?.memory && context.facts ? { memory: context.memory, facts: context.facts } : null;
      }
      if (this.stopping || Date.now() > deadline) return null;
      await sleep(50);
    }
  }

  private async decide(batch: Batch): Promise<void> {
    for (const message of batch.messages) {
      let event: DomainEvent;
      try {
        event = decodeDomainEvent(message.value);
      } catch (e) {
        if (e instanceof ContractViolation) continue;
        throw e;
      }
      const decided = await this.engine.decide(event, { topic: message.topic, partition: message.partition, offset: message.offset.toString() });
      for (const d of decided) this.await(d);
    }
  }

  private await(decided: Decided): void {
    if (this.tally.has(decided.decisionId) || this.waiting.has(decided.decisionId)) return;
    this.waiting.set(decided.decisionId, { record: decided.record, since: Date.now() });
  }

  /** One matching pass at a time: the live decisions that have reached the audit views are compared with their shadows. */
  private matchSoon(): Promise<void> {
    this.matching = this.matching.then(() => this.match()).catch((e: Error) => this.logger.warn('shadow comparison failed; will try again', { error: e.message }));
    return this.matching;
  }

  private async match(): Promise<void> {
    if (this.waiting.size === 0) return;
    const counter = this.core.platform.metrics.counter('arbiter_shadow_decisions_total', 'Shadow decisions compared with the live ones, by decision point and agreement');
    const ids = [...this.waiting.keys()].slice(0, 1_000);
    // One query for the lot, against the audit views: the live ledger itself is the live writer's alone.
    const rows = await this.core.platform.readModels.query<{ decision_id: string; record: string }>('SELECT decision_id, record FROM decisions WHERE decision_id = ANY($1::text[])', [ids]);
    const live = new Map(rows.map((r) => [r.decision_id, JSON.parse(String(r.record)) as LedgerRecord]));
    for (const decisionId of ids) {
      const { record, since } = this.waiting.get(decisionId)!;
      const counterpart = live.get(decisionId);
      if (!counterpart) {
        if (Date.now() - since > GIVE_UP_AFTER_MS) {
          this.waiting.delete(decisionId);
          this.core.platform.metrics.counter('arbiter_shadow_unmatched_total', 'Shadow decisions with no live decision to compare with').inc({ point: String(record.body.decisionPoint) });
        }
        continue;
      }
      const comparison = compareDecisions(counterpart, record, new Date());
      this.waiting.delete(decisionId);
      if (!this.tally.add(comparison)) continue;
      await this.ledger.store.append(COMPARISONS_STREAM, [{ id: uuidV5(`shadow-comparison\n${decisionId}`), type: COMPARISON_TYPE, data: Buffer.from(JSON.stringify(comparison)) }], 'any');
      counter.inc({ point: comparison.decisionPoint, agreement: comparison.agree ? 'agree' : 'disagree' });
    }
  }
}

async function restoreTally(ledger: ShadowLedger): Promise<ShadowTally> {
  const tally = new ShadowTally();
  try {
    for await (const event of ledger.store.readStream(COMPARISONS_STREAM)) tally.add(JSON.parse(Buffer.from(event.data).toString('utf8')) as ShadowComparison);
  } catch (e) {
    if (!(e instanceof StreamNotFoundError)) throw e;
  }
  return tally;
}
