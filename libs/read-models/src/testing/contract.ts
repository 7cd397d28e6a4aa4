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

    it('answers a statement run again and again (a kept plan) as the first time: quotes, hostile values and arrays read as values', async () => {
      await store.query(`INSERT INTO ${table} (id, cents) VALUES ($1, 1), ($2, 2)`, ["O'Brien", 'b']);
      const byId = `SELECT id, cents FROM ${table} WHERE id = $1`;
      const byIds = `SELECT id FROM ${table} WHERE id = ANY($1::text[]) ORDER BY id`;
      for (let i = 0; i < 6; i++) {
        expect(await store.query(byId, ["O'Brien"])).toEqual([{ id: "O'Brien", cents: 1 }]);
        expect(await store.query(byId, ["x') OR true; DROP TABLE " + table + '; --'])).toEqual([]);
        expect(await store.query(byIds, [["O'Brien", 'b']])).toEqual([{ id: "O'Brien" }, { id: 'b' }]);
      }
      expect(await store.query(`SELECT count(*)::int AS n FROM ${table}`)).toEqual([{ n: 2 }]);
    });

    it('reads a table as it is now after it changed under a statement run often, and a failing statement fails as itself', async () => {
      const all = `SELECT * FROM ${table} WHERE id = $1`;
      const insert = `INSERT INTO ${table} (id, cents) VALUES ($1, $2)`;
      for (let i = 0; i < 4; i++) await store.query(insert, [`r${i}`, i]);
      for (let i = 0; i < 4; i++) await store.query(all, ['r1']);
      await store.query(`ALTER TABLE ${table} ADD COLUMN note TEXT`);
      expect(await store.query(all, ['r1'])).toEqual([{ id: 'r1', cents: 1, doc: null, at: null, note: null }]);
      await expect(store.query(insert, ['r1', 9])).rejects.toMatchObject({ code: '23505' });
    });

    it('bulk-loads rows that read back exactly as written: reserved characters, nulls, JSON, timestamps, large numbers', async () => {
      const awkward = 'tab\there, newline\nthere, CR\r, backslash \\ and \\N, quote \' " and ünïcödé 🎉';
      const rows = [
        ['plain', 1, { nested: { text: awkward, list: [1, 'two', null] } }, '2026-01-02T03:04:05.678Z'],
        [awkward, 9007199254740991, null, new Date('2026-02-03T04:05:06.789Z')],
        ['\\N', -42, [], null],
      ];
      expect(await store.insertRows(table, ['id', 'cents', 'doc', 'at'], rows)).toBe(3);
      expect(await store.insertRows(table, ['id', 'cents'], [])).toBe(0);
      expect(await store.query(`SELECT id, cents, doc, at FROM ${table} ORDER BY cents`)).toEqual([
        { id: '\\N', cents: -42, doc: [], at: null },
        { id: 'plain', cents: 1, doc: { nested: { text: awkward, list: [1, 'two', null] } }, at: new Date('2026-01-02T03:04:05.678Z') },
        { id: awkward, cents: 9007199254740991, doc: null, at: new Date('2026-02-03T04:05:06.789Z') },
      ]);
    });

    it('refuses a bulk load into names that are not plain identifiers, or that break a constraint, and loads nothing', async () => {
      await expect(store.insertRows(`${table}; DROP TABLE ${table}`, ['id'], [['x']])).rejects.toThrow('not a table name');
      await expect(store.insertRows(table, ['id", cents'], [['x']])).rejects.toThrow('not a column name');
      await expect(store.insertRows(table, ['id', 'cents'], [['a', 1], ['a', 2]])).rejects.toMatchObject({ code: '23505' });
      expect(await store.query(`SELECT id FROM ${table}`)).toEqual([]);
    });

    it('bulk-loads inside a transaction: its later statements see the rows, and a rollback takes them away with the rest', async () => {
      const seen = await store.transaction(async (tx) => {
        expect(await tx.insertRows(table, ['id', 'cents'], [['kept', 1], ['also kept', 2]])).toBe(2);
        return tx.query<{ n: number }>(`SELECT COUNT(*)::bigint AS n FROM ${table}`);
      });
      expect(seen).toEqual([{ n: 2 }]);
      await expect(
        store.transaction(async (tx) => {
          await tx.query(`UPDATE ${table} SET cents = 99`);
          await tx.insertRows(table, ['id', 'cents'], [['rolled back', 3]]);
          throw new Error('the work failed');
        }),
      ).rejects.toThrow('the work failed');
      await expect(store.transaction((tx) => tx.insertRows(table, ['id', 'cents'], [['late', 4], ['kept', 5]]))).rejects.toMatchObject({ code: '23505' });
      await expect(store.transaction((tx) => tx.insertRows(table, ['id', 'cents'], [['not a number', Number.NaN]]))).rejects.toThrow('cannot insert the number NaN');
      expect(await store.query(`SELECT id, cents FROM ${table} ORDER BY cents`)).toEqual([
        { id: 'kept', cents: 1 },
        { id: 'also kept', cents: 2 },
      ]);
      // The connection a failed load used is as good as new.
      expect(await store.transaction((tx) => tx.insertRows(table, ['id', 'cents'], [['after', 6]]))).toBe(1);
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
