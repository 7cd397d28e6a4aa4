import { availableParallelism, loadavg } from 'node:os';
import type { EventStore, Position, TextEvent } from '@arbiter/event-store';
import type { PolicyBook } from '@arbiter/policy';
import { DecisionPoint, Reasoner, decisionPoints } from '@arbiter/reasoning';
import type { ReasonerMode } from '../candidate/candidate-reasoner';
import { describePolicies } from '../candidate/candidate-policies';
import type { DecisionDiff } from '../diff/decision-diff';
import { ReplaySummary, mergeSummary } from '../diff/summary';
import { ReplayError, ReplayInterruptedError } from '../errors';
import { DecisionFilter, storedDecisions } from '../recorded/decision-stream';
import { TriggerArchive } from '../recorded/trigger-archive';
import { describeRange } from '../time-range';
import type { BatchOutcome } from './case-replay';
import { CaseExecutor, InThreadExecutor } from './case-executor';
import { ReplayJournal, RunState } from './journal';
import { WorkerPoolExecutor } from './worker-pool';

export interface ReplayOptions {
  /** The real event store: only read. */
  store: EventStore;
  /** What `store` is (a data directory, an EventStoreDB): part of the run's parameters. */
  source: string;
  /** The sandbox's own event store, where the run is journalled. */
  sandbox: EventStore;
  candidates: PolicyBook;
  reasoner: ReasonerMode;
  /** The model endpoint, for `openai`. */
  model?: Reasoner;
  points?: DecisionPoint[];
  filter?: DecisionFilter;
  /** Go on from the sandbox's journal instead of starting afresh. */
  resume?: boolean;
  /** Decisions per journalled batch (default 2,000): what a run cut short loses at most. */
  journalEvery?: number;
  /** Worker threads for `recorded` and `heuristic` (default: see `defaultWorkers`). */
  workers?: number;
  /** Model calls in flight at once, for `openai` (default 8). */
  modelConcurrency?: number;
  /** Stops the run after the batch in hand; the sandbox keeps everything up to there. */
  signal?: AbortSignal;
  onProgress?: (progress: ReplayProgress) => void;
  now?: () => Date;
}

export interface ReplayProgress {
  decisions: number;
  /** Share of the ledger behind the run, 0..1, by store position. */
  fraction: number;
}

/** The parameters that make two runs the same run: what a sandbox is checked against on --resume. */
export interface RunParameters {
  source: string;
  reasoner: ReasonerMode;
  policies: { decisionPoint: string; policyId: string; version: number; digest: string }[];
  filter: { customers: string[]; decisionPoints: string[]; from: string | null; to: string | null };
}

export interface ReplayResult {
  parameters: RunParameters;
  summary: ReplaySummary;
  /** Every decision that changed or could not be replayed (its trigger mismatched or missing), in ledger order. */
  diffs: DecisionDiff[];
  startedAt: string;
  finishedAt: string;
  /** Whether this run went on from a sandbox journal, and how many decisions it replayed itself. */
  resumed: boolean;
  decisionsThisRun: number;
  seconds: number;
  decisionsPerSec: number;
  workers: number;
}

export function runParameters(options: Pick<ReplayOptions, 'source' | 'reasoner' | 'candidates' | 'filter'>): RunParameters {
  const filter = options.filter ?? {};
  return {
    source: options.source,
    reasoner: options.reasoner,
    policies: describePolicies(options.candidates).map(({ decisionPoint, policyId, version, digest }) => ({ decisionPoint, policyId, version, digest })),
    filter: { customers: [...(filter.customers ?? [])].sort(), decisionPoints: [...(filter.decisionPoints ?? [])].sort(), ...describeRange(filter.range ?? {}) },
  };
}

const LARGE_STORE = 50_000n;

/**
 * Worker threads pay off for large stores on cores that are idle; on a busy machine they only
 * contend with each other and with this thread. So: one per idle core (by the load average),
 * when at least two are idle and the store holds more than 50,000 events; otherwise none.
 */
export function defaultWorkers(head: Position | null): number {
  if (!head || head.commit <= LARGE_STORE) return 0;
  const idle = Math.floor(availableParallelism() - loadavg()[0]);
  return idle >= 2 ? idle : 0;
}

/**
 * Replays recorded decisions under candidate policies: each recorded trigger (from the domain
 * archive, checked against its digest) with the memory and facts the decision saw (from its
 * record), in ledger order, judged by the candidate policy. Nothing is written anywhere but the
 * sandbox: no ledger entry, no read model, no message.
 */
export async function runReplay(options: ReplayOptions): Promise<ReplayResult> {
  if (options.reasoner === 'openai' && !options.model) throw new ReplayError('reasoner-missing', 'replaying with --reasoner openai needs a model endpoint (OPENAI_BASE_URL)');
  const now = options.now ?? (() => new Date());
  const parameters = runParameters(options);
  const resumed = options.resume ? await ReplayJournal.resume(options.sandbox, parameters) : null;
  const head = await options.store.headPosition();
  const { journal, state } = resumed ?? (await ReplayJournal.start(options.sandbox, parameters, head, now()));
  const started = performance.now();
  const archive = new TriggerArchive(options.store);
  const workers = options.reasoner === 'openai' ? 0 : (options.workers ?? defaultWorkers(head));
  let replayedHere = 0;
  if (!state.finished) {
    const executor = executorFor(options, archive, workers);
    try {
      replayedHere = await replayInto(options, executor, archive, journal, state);
    } finally {
      await executor.close();
      await archive.close();
    }
    await journal.recordFinished(now());
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    parameters,
    summary: state.summary,
    diffs: state.diffs,
    startedAt: state.startedAt,
    finishedAt: now().toISOString(),
    resumed: resumed !== null,
    decisionsThisRun: replayedHere,
    seconds: Number(seconds.toFixed(3)),
    decisionsPerSec: seconds > 0 ? Math.round(replayedHere / seconds) : 0,
    workers,
  };
}

function executorFor(options: ReplayOptions, archive: TriggerArchive, workers: number): CaseExecutor {
  const filter = { decisionPoints: options.filter?.decisionPoints, range: options.filter?.range };
  if (workers > 0 && options.reasoner !== 'openai') {
    const policies = options.candidates.all().map(({ document, digest, file }) => ({ document, digest, file }));
    return WorkerPoolExecutor.start(workers, { policies, reasoner: options.reasoner, filter }, archive);
  }
  const plan = { candidates: options.candidates, reasoner: options.reasoner, points: new Map((options.points ?? decisionPoints).map((p) => [p.id, p])) };
  return new InThreadExecutor(plan, filter, archive, options.model ? { reasoner: options.model, concurrency: options.modelConcurrency ?? 8 } : undefined);
}

interface InFlight {
  outcome: Promise<BatchOutcome>;
  last: Position;
}

/** Replays from where the state stands to its end, batches in flight at once but taken in ledger order; returns how many decisions it replayed. */
async function replayInto(options: ReplayOptions, executor: CaseExecutor, archive: TriggerArchive, journal: ReplayJournal, state: RunState): Promise<number> {
  const journalEvery = options.journalEvery ?? 2_000;
  const until = state.until;
  const fraction = (p: Position) => (until && until.commit > 0n ? Math.min(1, Number((p.commit * 10_000n) / until.commit) / 10_000) : 1);
  const inFlight: InFlight[] = [];
  let unjournalled: DecisionDiff[] = [];
  let sinceJournal = 0;
  let replayed = 0;
  let last: Position | null = null;

  const journalNow = async () => {
    if (!last || sinceJournal === 0) return;
    await journal.recordBatch(last, state.summary, unjournalled);
    state.after = last;
    unjournalled = [];
    sinceJournal = 0;
    options.onProgress?.({ decisions: state.summary.decisions, fraction: fraction(last) });
    if (options.signal?.aborted) throw new ReplayInterruptedError(state.summary.decisions, null);
  };
  const takeOldest = async () => {
    const { outcome, last: end } = inFlight.shift()!;
    const { summary, diffs } = await outcome;
    mergeSummary(state.summary, summary);
    for (const d of diffs) {
      state.diffs.push(d);
      unjournalled.push(d);
    }
    replayed += summary.decisions;
    sinceJournal += summary.decisions + 1;
    last = end;
    if (sinceJournal >= journalEvery) await journalNow();
  };

  try {
    let batch: TextEvent[] = [];
    const triggerTypes = [...new Set(options.candidates.all().flatMap((p) => p.document.trigger.types))];
    const archived = { types: triggerTypes, seen: (event: TextEvent) => archive.seen(event) };
    for await (const stored of storedDecisions(options.store, { after: state.after, until, customers: options.filter?.customers, archived })) {
      batch.push(stored);
      if (batch.length < executor.batchSize) continue;
      inFlight.push({ outcome: executor.run(batch), last: stored.position });
      batch = [];
      if (inFlight.length > executor.parallelism) await takeOldest();
    }
    if (batch.length) inFlight.push({ outcome: executor.run(batch), last: batch[batch.length - 1].position });
    while (inFlight.length) await takeOldest();
    await journalNow();
  } finally {
    // Batches still in flight are not journalled; their failures must not go unhandled.
    for (const f of inFlight) f.outcome.catch(() => undefined);
  }
  options.onProgress?.({ decisions: state.summary.decisions, fraction: 1 });
  return replayed;
}
