import { TextEvent, positionToString } from '@arbiter/event-store';
import type { Reasoner } from '@arbiter/reasoning';
import { CandidateProposal, modelProposal } from '../candidate/candidate-reasoner';
import { DecisionFilter, readDecision } from '../recorded/decision-stream';
import type { TriggerArchive } from '../recorded/trigger-archive';
import { BatchOutcome, CasePlan, PreparedCase, judgeCase, offlineProposal, outcomeOf, prepareCase } from './case-replay';

/** Replays batches of stored decision records; batches may be in flight at once, and come back in any order. */
export interface CaseExecutor {
  /** Records per batch it works best with. */
  readonly batchSize: number;
  /** Batches worth keeping in flight. */
  readonly parallelism: number;
  run(batch: TextEvent[]): Promise<BatchOutcome>;
  close(): Promise<void>;
}

/** This thread does it all: for small ledgers, and for model calls (which wait on the network, not the CPU). */
export class InThreadExecutor implements CaseExecutor {
  readonly batchSize = 64;
  readonly parallelism = 1;
  private lookups: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly plan: CasePlan,
    private readonly filter: Pick<DecisionFilter, 'decisionPoints' | 'range'>,
    private readonly archive: TriggerArchive,
    private readonly model?: { reasoner: Reasoner; concurrency: number },
  ) {}

  async run(batch: TextEvent[]): Promise<BatchOutcome> {
    // Triggers are looked up in ledger order: the archive is read alongside the ledger, once.
    const preparing = this.lookups.then(() => this.prepare(batch));
    this.lookups = preparing;
    const prepared = await preparing;
    const proposals = this.plan.reasoner === 'openai' ? await this.askModel(prepared) : prepared.map((p) => ('diff' in p ? null : offlineProposal(this.plan, p)));
    return outcomeOf(prepared.map((p, i) => judgeCase(p, proposals[i])));
  }

  /** The archive is the caller's to close; this thread holds nothing else. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  private async prepare(batch: TextEvent[]): Promise<PreparedCase[]> {
    const prepared: PreparedCase[] = [];
    for (const stored of batch) {
      const decision = readDecision(stored.data, positionToString(stored.position), this.filter);
      if (!decision) continue;
      const found = this.plan.candidates.forPoint(decision.decisionPoint) ? await this.archive.find(decision.trigger, decision.event) : null;
      prepared.push(prepareCase(this.plan, decision, found));
    }
    return prepared;
  }

  private async askModel(prepared: PreparedCase[]): Promise<(CandidateProposal | null)[]> {
    const { reasoner, concurrency } = this.model!;
    const proposals: (CandidateProposal | null)[] = prepared.map(() => null);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < prepared.length; i = next++) {
        const p = prepared[i];
        if (!('diff' in p)) proposals[i] = await modelProposal(reasoner, p.input);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return proposals;
  }
}
