import { join } from 'node:path';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import { collectLedgerLeaves, parseRecord } from '@arbiter/ledger';
import { latestCheckpoint } from '@arbiter/notary';
import { freshDataDir, startAllInOne } from './harness';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('stopping while events keep arriving', () => {
  it('stops consuming first, so the closing checkpoint covers every ledger entry', async () => {
    const dataDir = freshDataDir();
    const running = await startAllInOne(dataDir, { simulator: 'on', simulatorRate: 400 });
    const decisions = () => collectLedgerLeaves(running.core.platform.store).then((leaves) => leaves.filter((l) => parseRecord(l.text).type === 'decision').length);
    for (const deadline = Date.now() + 60_000; (await decisions()) < 50 && Date.now() < deadline; ) await sleep(100);
    await running.close();

    const store = new SqliteEventStore(join(dataDir, 'events.db'));
    try {
      const leaves = await collectLedgerLeaves(store);
      expect(leaves.length).toBeGreaterThan(50);
      expect(Number((await latestCheckpoint(store))?.checkpoint.size)).toBe(leaves.length);
    } finally {
      await store.close();
    }
  }, 120_000);
});
