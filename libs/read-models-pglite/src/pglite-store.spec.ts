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

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'arbiter-pglite-plans-'));
    store = await PgliteReadModelStore.open(dir);
    await store.query('CREATE TABLE people (id TEXT PRIMARY KEY, name TEXT NOT NULL, visits INT NOT NULL)');
    await store.query("INSERT INTO people VALUES ('a', 'O''Brien', 1), ('b', 'Ng', 2)");
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the same rows through a kept plan as without one, quotes and all', async () => {
    const select = 'SELECT id, name, visits FROM people WHERE name = $1 AND visits >= $2';
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await store.query(select, ["O'Brien", 1]));
    expect(answers).toEqual(Array(5).fill([{ id: 'a', name: "O'Brien", visits: 1 }]));
    expect(await prepared()).toEqual([expect.stringContaining(select)]);
  });

  it('reads a hostile value as a value, never as SQL', async () => {
    const select = 'SELECT id FROM people WHERE name = $1';
    const hostile = "x') ; DROP TABLE people; --";
    for (let i = 0; i < 5; i++) expect(await store.query(select, [hostile])).toEqual([]);
    expect(await prepared()).toEqual([expect.stringContaining(select)]);
    expect(await store.query('SELECT count(*)::int AS n FROM people')).toEqual([{ n: 2 }]);
  });

  it('takes the ordinary path for values without an unambiguous literal, and for statements it cannot prepare', async () => {
    const select = 'SELECT id FROM people WHERE id = ANY($1::text[]) ORDER BY id';
    for (let i = 0; i < 5; i++) expect(await store.query(select, [['a', 'b']])).toEqual([{ id: 'a' }, { id: 'b' }]);
    for (let i = 0; i < 5; i++) await store.query('SET LOCAL statement_timeout = 0');
    expect(await prepared()).toEqual([]);
  });

  it('plans again when a table changes under a kept plan', async () => {
    const select = 'SELECT * FROM people WHERE id = $1';
    for (let i = 0; i < 4; i++) await store.query(select, ['b']);
    await store.query('ALTER TABLE people ADD COLUMN country TEXT');
    expect(await store.query(select, ['b'])).toEqual([{ id: 'b', name: 'Ng', visits: 2, country: null }]);
  });

  it('runs statements inside a transaction as they are, and a failing kept statement fails as itself', async () => {
    const insert = 'INSERT INTO people (id, name, visits) VALUES ($1, $2, $3)';
    for (let i = 0; i < 4; i++) await store.query(insert, [`p${i}`, 'P', i]);
    await expect(store.query(insert, ['a', 'again', 9])).rejects.toMatchObject({ code: '23505' });
    await store.transaction(async (tx) => {
      for (let i = 4; i < 8; i++) await tx.query(insert, [`p${i}`, 'P', i]);
    });
    expect(await store.query('SELECT count(*)::int AS n FROM people')).toEqual([{ n: 10 }]);
  });
});
