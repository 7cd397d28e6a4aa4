import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import { addToSummary, emptySummary } from '../diff/summary';
import type { DecisionDiff } from '../diff/decision-diff';
import { ReplayJournal } from './journal';

const sandbox = () => new SqliteEventStore(join(mkdtempSync(join(tmpdir(), 'arbiter-journal-')), 'journal.db'));
const parameters = { source: 'data:/x', reasoner: 'recorded', policies: [{ decisionPoint: 'p', digest: 'a' }] };
const at = (n: number) => ({ commit: BigInt(n), prepare: BigInt(n) });
const diff = (id: string) => ({ decisionId: id, decisionPoint: 'p', status: 'trigger-missing', changes: [], recorded: { policy: { id: 'p', version: 1 } }, candidate: null }) as unknown as DecisionDiff;

describe('the replay journal in a sandbox', () => {
  it('gives a resumed run the position, summary and diffs of its last batch', async () => {
    const store = sandbox();
    const { journal } = await ReplayJournal.start(store, parameters, at(100), new Date('2026-06-01T00:00:00Z'));
    const summary = emptySummary();
    addToSummary(summary, diff('a'));
    await journal.recordBatch(at(40), summary, [diff('a')]);
    addToSummary(summary, diff('b'));
    await journal.recordBatch(at(70), summary, [diff('b')]);

    const resumed = await ReplayJournal.resume(store, parameters);
    expect(resumed!.state).toMatchObject({ after: at(70), until: at(100), finished: false, startedAt: '2026-06-01T00:00:00.000Z' });
    expect(resumed!.state.summary).toEqual(summary);
    expect(resumed!.state.diffs.map((d) => d.decisionId)).toEqual(['a', 'b']);
    await store.close();
  });

  it('finds nothing to resume in an empty sandbox', async () => {
    const store = sandbox();
    expect(await ReplayJournal.resume(store, parameters)).toBeNull();
    await store.close();
  });

  it('refuses to resume a run that was asked something else, and writes nothing', async () => {
    const store = sandbox();
    await ReplayJournal.start(store, parameters, at(10), new Date());
    await expect(ReplayJournal.resume(store, { ...parameters, reasoner: 'heuristic' })).rejects.toMatchObject({ code: 'sandbox-mismatch' });
    expect(await store.headPosition()).toEqual(at(1));
    await store.close();
  });

  it('lets only one run write a sandbox: a second writer is refused', async () => {
    const store = sandbox();
    const first = await ReplayJournal.start(store, parameters, at(10), new Date());
    const second = await ReplayJournal.resume(store, parameters);
    await first.journal.recordBatch(at(5), emptySummary(), []);
    await expect(second!.journal.recordBatch(at(6), emptySummary(), [])).rejects.toMatchObject({ code: 'sandbox-in-use' });
    await expect(ReplayJournal.start(store, parameters, at(10), new Date())).rejects.toMatchObject({ code: 'sandbox-in-use' });
    await store.close();
  });
});
