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
