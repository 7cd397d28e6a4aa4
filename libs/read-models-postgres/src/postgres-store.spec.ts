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
