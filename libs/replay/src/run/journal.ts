import { EventStore, Position, StreamNotFoundError, WrongExpectedVersionError, positionFromString, positionToString } from '@arbiter/event-store';
import { randomUUID } from 'node:crypto';
import { canonicalize } from '@arbiter/ledger';
import type { DecisionDiff } from '../diff/decision-diff';
import { ReplaySummary, emptySummary } from '../diff/summary';
import { ReplayError } from '../errors';

/** The stream of a sandbox's event store that keeps a replay run, batch by batch. */
export const JOURNAL_STREAM = 'replay-run';

const STARTED = 'replay.run.started';
const BATCH = 'replay.run.batch';
const FINISHED = 'replay.run.finished';

/** Where a run stands: from where in the ledger it goes on, what it found so far, and whether it is done. */
export interface RunState {
  parameters: object;
  /** The store position the run replays up to: the ledger's head when it started. */
  until: Position | null;
  after: Position | 'start';
  summary: ReplaySummary;
  diffs: DecisionDiff[];
  startedAt: string;
  finished: boolean;
}

interface Started {
  parameters: object;
  until: string | null;
  startedAt: string;
}

interface Batch {
  after: string;
  summary: ReplaySummary;
  diffs: DecisionDiff[];
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const parse = <T>(data: Uint8Array) => JSON.parse(Buffer.from(data).toString('utf8')) as T;

/**
 * A replay run kept in its sandbox's own event store: what it was asked, then one event per batch
 * (where it got to in the ledger, the summary so far, the diffs of the batch). Each append names
 * the stream's exact revision, so two processes cannot write one sandbox, and a run cut short
 * resumes after its last complete batch.
 */
export class ReplayJournal {
  private constructor(
    private readonly store: EventStore,
    private revision: bigint,
  ) {}

  /** Starts a fresh run: the sandbox must not hold another. */
  static async start(store: EventStore, parameters: object, until: Position | null, now: Date): Promise<{ journal: ReplayJournal; state: RunState }> {
    const started: Started = { parameters, until: until ? positionToString(until) : null, startedAt: now.toISOString() };
    try {
      const result = await store.append(JOURNAL_STREAM, [{ id: randomUUID(), type: STARTED, data: json(started) }], 'no_stream');
      const journal = new ReplayJournal(store, result.nextExpectedRevision);
      return { journal, state: { parameters, until, after: 'start', summary: emptySummary(), diffs: [], startedAt: started.startedAt, finished: false } };
    } catch (e) {
      if (e instanceof WrongExpectedVersionError) throw new ReplayError('sandbox-in-use', 'the sandbox already holds a run; resume it, or start afresh in an empty sandbox');
      throw e;
    }
  }

  /** Reads a run back to where it stopped; null when the sandbox holds none. Refuses a run that was asked something else. */
  static async resume(store: EventStore, parameters: object): Promise<{ journal: ReplayJournal; state: RunState } | null> {
    let state: RunState | null = null;
    let revision = -1n;
    try {
      for await (const event of store.readStream(JOURNAL_STREAM)) {
        revision = event.revision;
        if (event.type === STARTED) {
          const started = parse<Started>(event.data);
          if (canonicalize(started.parameters as never) !== canonicalize(parameters as never)) {
            throw new ReplayError('sandbox-mismatch', 'the sandbox holds a run with other parameters (policies, filters, reasoner or data); start afresh without --resume, or name another --sandbox');
          }
          state = { parameters, until: started.until ? positionFromString(started.until) : null, after: 'start', summary: emptySummary(), diffs: [], startedAt: started.startedAt, finished: false };
        } else if (event.type === BATCH && state) {
          const batch = parse<Batch>(event.data);
          state.after = positionFromString(batch.after);
          state.summary = batch.summary;
          for (const diff of batch.diffs) state.diffs.push(diff);
        } else if (event.type === FINISHED && state) state.finished = true;
      }
    } catch (e) {
      if (e instanceof StreamNotFoundError) return null;
      throw e;
    }
    return state ? { journal: new ReplayJournal(store, revision), state } : null;
  }

  async recordBatch(after: Position, summary: ReplaySummary, diffs: DecisionDiff[]): Promise<void> {
    await this.append(BATCH, { after: positionToString(after), summary, diffs } satisfies Batch);
  }

  async recordFinished(now: Date): Promise<void> {
    await this.append(FINISHED, { finishedAt: now.toISOString() });
  }

  private async append(type: string, data: object): Promise<void> {
    try {
      // Fresh ids: an append is never taken for a retry of another writer's, so a second writer is refused, not merged.
      const result = await this.store.append(JOURNAL_STREAM, [{ id: randomUUID(), type, data: json(data) }], this.revision);
      this.revision = result.nextExpectedRevision;
    } catch (e) {
      if (e instanceof WrongExpectedVersionError) throw new ReplayError('sandbox-in-use', 'another process wrote to this sandbox meanwhile; only one run may use a sandbox');
      throw e;
    }
  }
}
