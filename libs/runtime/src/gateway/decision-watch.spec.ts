import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import type { LedgerRecord } from '@arbiter/ledger';
import { silentLogger } from '@arbiter/telemetry';
import { DecisionWatch } from './decision-watch';

const until = async (done: () => boolean) => {
  while (!done()) await new Promise((r) => setTimeout(r, 5));
};

describe('a gateway waiting for decisions it does not make itself', () => {
  let dir: string;
  let store: SqliteEventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'arbiter-watch-'));
    store = new SqliteEventStore(join(dir, 'events.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds a decision made before it was watching once the audit views have it, asking again while the request waits', async () => {
    // The retried request's decision was made long ago, but the audit projection is behind: it has it from the third question on.
    const record = { body: { kind: 'decision' } } as unknown as LedgerRecord;
    let asked = 0;
    const watch = new DecisionWatch(store, silentLogger, async () => (++asked >= 3 ? record : null), 20);
    await watch.start();
    try {
      await expect(watch.expect(['dec-1']).records).resolves.toEqual([record]);
      expect(asked).toBe(3);
    } finally {
      await watch.stop();
    }
  });

  it('stops asking once the request gives up, and a failing lookup only delays the answer', async () => {
    let asked = 0;
    const watch = new DecisionWatch(store, silentLogger, async () => {
      asked++;
      throw new Error('the audit views are down');
    }, 20);
    await watch.start();
    try {
      const expected = watch.expect(['dec-1', 'dec-2']);
      await until(() => asked >= 4);
      expected.cancel();
      const after = asked;
      await new Promise((r) => setTimeout(r, 100));
      expect(asked).toBe(after);
    } finally {
      await watch.stop();
    }
  });
});
