import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeReadModelContract } from '@arbiter/read-models/testing';
import { PgliteReadModelStore } from './pglite-store';

describeReadModelContract(
  'embedded (PGlite)',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arbiter-pglite-'));
    const fixture = {
      store: await PgliteReadModelStore.open(dir),
      reopen: async () => {
        await fixture.store.close();
        fixture.store = await PgliteReadModelStore.open(dir);
        return fixture.store;
      },
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
    return fixture;
  },
  { durable: true },
);

describe('the embedded engine keeps plans for the statements it runs often', () => {
  let dir: string;
  let store: PgliteReadModelStore;
  const prepared = async () => (await store.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements')).map((r) => r.statement);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'arbiter-pglite-plans-'));
    store = await PgliteReadModelStore.open(dir);
    await store.query('CREATE TABLE people (id TEXT PRIMARY KEY, name TEXT NOT NULL)');
    await store.query("INSERT INTO people VALUES ('a', 'O''Brien')");
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prepares a statement once it has run three times, and runs it with its values as literals', async () => {
    const select = 'SELECT id FROM people WHERE name = $1';
    await store.query(select, ["O'Brien"]);
    await store.query(select, ["x'); DROP TABLE people; --"]);
    expect(await prepared()).toEqual([]);
    expect(await store.query(select, ["O'Brien"])).toEqual([{ id: 'a' }]);
    expect(await store.query(select, ["x'); DROP TABLE people; --"])).toEqual([]);
    expect(await prepared()).toEqual([expect.stringContaining(select)]);
  });

  it('never prepares what it cannot write as literals, nor statements PostgreSQL does not prepare', async () => {
    const before = await prepared();
    for (let i = 0; i < 5; i++) await store.query('SELECT id FROM people WHERE id = ANY($1::text[])', [['a']]);
    for (let i = 0; i < 5; i++) await store.query('SET LOCAL statement_timeout = 0');
    expect(await prepared()).toEqual(before);
  });
});

describe('the embedded engine runs on a thread of its own', () => {
  let dir: string;
  let store: PgliteReadModelStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'arbiter-pglite-thread-'));
    store = await PgliteReadModelStore.open(dir);
    await store.query('CREATE TABLE things (id TEXT PRIMARY KEY)');
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the host responsive while a statement runs: timers fire before a long statement ends', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const [{ total }] = await store.query<{ total: number }>('SELECT sum(i)::bigint AS total FROM generate_series(1, 3000000) i');
    clearInterval(timer);
    expect(total).toBe(4_500_001_500_000);
    expect(ticks).toBeGreaterThan(2);
  });

  it("fails a statement with PostgreSQL's error code and detail, in a transaction and outside", async () => {
    await store.query("INSERT INTO things VALUES ('a')");
    await expect(store.query("INSERT INTO things VALUES ('a')")).rejects.toMatchObject({ code: '23505', message: expect.stringContaining('duplicate key'), detail: expect.stringContaining('(id)=(a)') });
    await expect(store.transaction((tx) => tx.query("INSERT INTO things VALUES ('b'), ('a')"))).rejects.toMatchObject({ code: '23505' });
    expect(await store.query('SELECT id FROM things ORDER BY id')).toEqual([{ id: 'a' }]);
  });

  it('runs a statement sent from outside an open transaction after it, seeing what it committed', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const transaction = store.transaction(async (tx) => {
      await tx.query("INSERT INTO things VALUES ('c')");
      await held;
    });
    const outside = store.query<{ id: string }>("SELECT id FROM things WHERE id = 'c'");
    release();
    await transaction;
    expect(await outside).toEqual([{ id: 'c' }]);
  });

  it('refuses statements once closed, with a reason', async () => {
    await store.close();
    await expect(store.query('SELECT 1')).rejects.toThrow('the embedded read-model engine is closed');
    await expect(store.transaction((tx) => tx.query('SELECT 1'))).rejects.toThrow('the embedded read-model engine is closed');
  });
});
