import { randomUUID } from 'node:crypto';
import { ReadModelStore } from '../read-model-store';

export interface ReadModelFixture {
  store: ReadModelStore;
  reopen?: () => Promise<ReadModelStore>;
  dispose?: () => Promise<void>;
}

export function describeReadModelContract(
  name: string,
  open: () => Promise<ReadModelFixture>,
  options: { onlyWhen?: unknown; durable?: boolean } = {},
): void {
  if ('onlyWhen' in options && !options.onlyWhen) return;
  describe(`ReadModelStore contract: ${name}`, () => {
    let fixture: ReadModelFixture;
    let store: ReadModelStore;
    let table: string;

    beforeAll(async () => {
      fixture = await open();
      store = fixture.store;
    });
    afterAll(async () => {
      await store.close();
      await fixture.dispose?.();
    });
    beforeEach(async () => {
      table = `contract_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      await store.migrate([{ id: `0001-${table}`, sql: `CREATE TABLE ${table} (id TEXT PRIMARY KEY, cents BIGINT NOT NULL, doc JSONB, at TIMESTAMPTZ);\nCREATE INDEX ${table}_cents ON ${table} (cents);` }]);
    });
    afterEach(async () => {
      await store.query(`DROP TABLE IF EXISTS ${table}`);
    });

    it('applies each migration once', async () => {
      const again = await store.migrate([{ id: `0001-${table}`, sql: `CREATE TABLE ${table} (id TEXT)` }]);
      expect(again).toEqual([]);
    });

    it('returns BIGINT as numbers, JSONB as values and TIMESTAMPTZ as dates', async () => {
      await store.query(`INSERT INTO ${table} (id, cents, doc, at) VALUES ($1, $2, $3, $4)`, ['a', 9007199254740991, JSON.stringify({ k: [1, 'x'] }), '2026-01-02T03:04:05.678Z']);
      const [row] = await store.query(`SELECT * FROM ${table}`);
      expect(row).toEqual({ id: 'a', cents: 9007199254740991, doc: { k: [1, 'x'] }, at: new Date('2026-01-02T03:04:05.678Z') });
    });

    it('commits a transaction whole, or rolls it back whole when the work fails', async () => {
      await store.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${table} (id, cents) VALUES ('a', 1)`);
        await tx.query(`INSERT INTO ${table} (id, cents) VALUES ('b', 2)`);
      });
      await expect(
        store.transaction(async (tx) => {
          await tx.query(`INSERT INTO ${table} (id, cents) VALUES ('c', 3)`);
          await tx.query(`INSERT INTO ${table} (id, cents) VALUES ('a', 4)`);
        }),
      ).rejects.toThrow();
      const rows = await store.query<{ id: string }>(`SELECT id FROM ${table} ORDER BY id`);
      expect(rows.map((r) => r.id)).toEqual(['a', 'b']);
    });

    it('grants a lease to one holder at a time, and again once it is released', async () => {
      const name = `lease-${table}`;
      const first = await store.tryLease(name);
      expect(first).not.toBeNull();
      expect(await store.tryLease(name)).toBeNull();
      await first!.release();
      const second = await store.tryLease(name);
      expect(second).not.toBeNull();
      await second!.release();
    });

    if (options.durable) {
      it('keeps committed rows across a close and reopen', async () => {
        if (!fixture.reopen) throw new Error('a durable adapter fixture must provide reopen');
        await store.query(`INSERT INTO ${table} (id, cents) VALUES ('kept', 7)`);
        store = await fixture.reopen();
        expect(await store.query(`SELECT id, cents FROM ${table}`)).toEqual([{ id: 'kept', cents: 7 }]);
      });
    }
  });
}
