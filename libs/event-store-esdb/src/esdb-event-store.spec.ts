import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreFixture, describeEventStoreContract } from '@arbiter/event-store/testing';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import { EsdbLite, startEsdbLite } from '@arbiter/esdb-lite';
import { EsdbEventStore } from './esdb-event-store';
import { EsdbLiteProcess, startEsdbLiteProcess } from './testing/esdb-lite-process';

/** esdb-lite on a fresh data directory; reopening restarts the server on the same file. */
async function onEsdbLite(): Promise<EventStoreFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-esdb-'));
  const file = join(dir, 'events.db');
  let lite: EsdbLite = await startEsdbLite({ store: new SqliteEventStore(file) });
  const fixture: EventStoreFixture = {
    store: EsdbEventStore.connect(lite.url),
    reopen: async () => {
      await fixture.store.close();
      await lite.close();
      lite = await startEsdbLite({ store: new SqliteEventStore(file) });
      fixture.store = EsdbEventStore.connect(lite.url);
      return fixture.store;
    },
    dispose: async () => {
      await lite.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}

describeEventStoreContract('EventStoreDB protocol (esdb-lite)', onEsdbLite, { durable: true });

/** One server process for the whole suite, its data growing test after test, as a shared server's does. */
let server: Promise<EsdbLiteProcess> | null = null;
afterAll(async () => {
  if (server) await (await server).stop();
});

describeEventStoreContract('EventStoreDB protocol (arbiter esdb-lite in its own process)', async () => ({
  store: EsdbEventStore.connect((await (server ??= startEsdbLiteProcess())).url),
}));

// A real EventStoreDB or KurrentDB, when one is given (see infra/README.md).
describeEventStoreContract('EventStoreDB', async () => ({ store: EsdbEventStore.connect(process.env.ESDB_CONNECTION_STRING!) }), {
  onlyWhen: process.env.ESDB_CONNECTION_STRING,
});
