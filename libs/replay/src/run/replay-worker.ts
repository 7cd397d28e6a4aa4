import { parentPort, workerData } from 'node:worker_threads';
import { LoadedPolicy, PolicyBook, compilePolicy } from '@arbiter/policy';
import { decisionPoints } from '@arbiter/reasoning';
import { DecisionFilter, readDecision } from '../recorded/decision-stream';
import type { RecordedDecision, RecordedTrigger } from '../recorded/recorded-decision';
import { parseArchivedEvent, verifyTrigger } from '../recorded/trigger-archive';
import { BatchOutcome, CasePlan, judgeCase, offlineProposal, outcomeOf, prepareCase } from './case-replay';

/** How a worker is set up: the candidate policies (as loaded, without their compiled expressions), the reasoner mode, the filter. */
export interface ReplayWorkerSetup {
  arbiterReplayWorker: true;
  policies: Omit<LoadedPolicy, 'compiled'>[];
  reasoner: 'recorded' | 'heuristic';
  filter: Pick<DecisionFilter, 'decisionPoints' | 'range'>;
}

/** Where to look for a decision's trigger; null where no lookup is needed (filtered out, or no candidate policy). */
export type TriggerLookup = Pick<RecordedTrigger, 'eventId' | 'topic' | 'partition' | 'offset'> | null;

/** Records and triggers go over as text: a string is copied between threads as it is, without encoding. */
export type WorkerRequest =
  | { kind: 'read'; id: number; records: string[]; positions: string[] }
  | { kind: 'judge'; id: number; triggers: (string | null)[] };

export type WorkerResponse = { kind: 'read'; id: number; lookups: TriggerLookup[] } | { kind: 'judge'; id: number; outcome: BatchOutcome } | { kind: 'failed'; id: number; message: string };

/**
 * A replay worker: it reads decision records (the costly part of reading) and says where their
 * triggers are; the reading thread fetches those from the archive in ledger order and sends
 * them back; the worker checks each trigger's digest, judges the case under the candidate policy
 * and returns the batch's summary and diffs.
 */
function serve(setup: ReplayWorkerSetup): void {
  const plan: CasePlan = {
    candidates: new PolicyBook(setup.policies.map((p) => ({ ...p, compiled: compilePolicy(p.document) }))),
    reasoner: setup.reasoner,
    points: new Map(decisionPoints.map((p) => [p.id, p])),
  };
  const batches = new Map<number, (RecordedDecision | null)[]>();
  const read = (request: Extract<WorkerRequest, { kind: 'read' }>): WorkerResponse => {
    const decisions = request.positions.map((position, i) => readDecision(request.records[i], position, setup.filter));
    batches.set(request.id, decisions);
    const lookups = decisions.map((d) => (d && plan.candidates.forPoint(d.decisionPoint) ? { eventId: d.trigger.eventId, topic: d.trigger.topic, partition: d.trigger.partition, offset: d.trigger.offset } : null));
    return { kind: 'read', id: request.id, lookups };
  };
  const judge = (request: Extract<WorkerRequest, { kind: 'judge' }>): WorkerResponse => {
    const decisions = batches.get(request.id) ?? [];
    batches.delete(request.id);
    const diffs = [];
    for (let i = 0; i < decisions.length; i++) {
      const decision = decisions[i];
      if (!decision) continue;
      const text = request.triggers[i];
      const found = plan.candidates.forPoint(decision.decisionPoint) ? verifyTrigger(decision.trigger, text !== null ? parseArchivedEvent(text) : null, decision.event) : null;
      const prepared = prepareCase(plan, decision, found);
      diffs.push(judgeCase(prepared, 'diff' in prepared ? null : offlineProposal(plan, prepared)));
    }
    return { kind: 'judge', id: request.id, outcome: outcomeOf(diffs) };
  };
  parentPort!.on('message', (request: WorkerRequest) => {
    try {
      parentPort!.postMessage(request.kind === 'read' ? read(request) : judge(request));
    } catch (e) {
      parentPort!.postMessage({ kind: 'failed', id: request.id, message: (e as Error).stack ?? String(e) } satisfies WorkerResponse);
    }
  });
}

if (parentPort && (workerData as ReplayWorkerSetup | undefined)?.arbiterReplayWorker) serve(workerData as ReplayWorkerSetup);
