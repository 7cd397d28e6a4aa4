import { describeReadModelContract } from '@arbiter/read-models/testing';
import { PostgresReadModelStore } from './postgres-store';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

describeReadModelContract('PostgreSQL', async () => {
  const fixture = {
    store: await PostgresReadModelStore.open(url),
    reopen: async () => {
      await fixture.store.close();
      fixture.store = await PostgresReadModelStore.open(url);
      return fixture.store;
    },
  };
  return fixture;
}, { durable: true });

describe('PostgreSQL sessions', () => {
  const show = async (connectionString: string, setting: string) => {
    const store = await PostgresReadModelStore.open(connectionString, { max: 2 });
    try {
      // Two at once: each connection of the pool must carry the setting, not only the first.
      const rows = await Promise.all([store.query<{ v: string }>(`SELECT current_setting('${setting}') AS v`), store.transaction((tx) => tx.query<{ v: string }>(`SELECT current_setting('${setting}') AS v`))]);
      return rows.map(([row]) => row.v);
    } finally {
      await store.close();
    }
  };

  it('commits without waiting for the WAL flush: projections redo a lost commit from their checkpoint', async () => {
    expect(await show(url, 'synchronous_commit')).toEqual(['off', 'off']);
  });

  it('keeps the server options a connection string already carries', async () => {
    const withOptions = new URL(url);
    withOptions.searchParams.set('options', '-c application_name=arbiter-spec');
    expect(await show(withOptions.toString(), 'application_name')).toEqual(['arbiter-spec', 'arbiter-spec']);
    expect(await show(withOptions.toString(), 'synchronous_commit')).toEqual(['off', 'off']);
  });
});
