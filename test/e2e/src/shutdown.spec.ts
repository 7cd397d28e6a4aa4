import { join } from 'node:path';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import { collectLedgerLeaves, parseRecord } from '@arbiter/ledger';
import { latestCheckpoint } from '@arbiter/notary';
import { decideOverHttp } from './autonomy-helpers';
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

  it('answers each decision asked for over HTTP while it stops, or refuses it with 503; the closing checkpoint covers every one it answered', async () => {
    const dataDir = freshDataDir();
    const running = await startAllInOne(dataDir);
    const answered: string[] = [];
    const refused: string[] = [];
    let stopping: Promise<void> | null = null;
    let n = 0;
    const client = async () => {
      while (n < 5_000) {
        const id = `stop-${n++}`;
        const event = { specversion: '1.0', id, source: '/shop/orders', type: 'order.placed', subject: `cus_stop_${n % 7}`, data: { orderId: `ord-${id}`, customerId: `cus_stop_${n % 7}`, items: [{ sku: 'sku-0001', qty: 1 }], totalCents: 1999, currency: 'EUR', shipTo: { country: 'DE', postalCode: '10115' } } };
        try {
          const { status, body } = await decideOverHttp(running, event);
          if (status === 200) answered.push(body.decisions[0].decisionId);
          else if (status === 503) refused.push(body.message);
          else throw new Error(`unexpected ${status}: ${JSON.stringify(body)}`);
        } catch (e) {
          // The server has closed its port: nothing more can be asked.
          if ((e as Error).message.startsWith('unexpected')) throw e;
          return;
        }
        if (answered.length === 20) stopping ??= running.close();
      }
    };
    await Promise.all([client(), client(), client(), client()]);
    await stopping;

    expect(answered.length).toBeGreaterThanOrEqual(20);
    // Asked while it stopped: refused with the reason, not decided after the closing checkpoint.
    expect(refused.length).toBeGreaterThan(0);
    for (const reason of refused) expect(reason).toMatch(/shutting down/);
    const store = new SqliteEventStore(join(dataDir, 'events.db'));
    try {
      const leaves = await collectLedgerLeaves(store);
      const decided = new Set(leaves.map((l) => parseRecord(l.text)).filter((r) => r.type === 'decision').map((r) => (r.body as { decisionId: string }).decisionId));
      for (const id of answered) expect(decided.has(id)).toBe(true);
      expect(Number((await latestCheckpoint(store))?.checkpoint.size)).toBe(leaves.length);
    } finally {
      await store.close();
    }
  }, 120_000);
});
