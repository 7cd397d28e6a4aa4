import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEventStoreContract } from '@arbiter/event-store/testing';
import { SqliteEventStore } from './sqlite-event-store';

describeEventStoreContract(
  'embedded (SQLite)',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arbiter-store-'));
    const file = join(dir, 'events.db');
    const fixture = {
      store: new SqliteEventStore(file),
      reopen: async () => {
        await fixture.store.close();
        fixture.store = new SqliteEventStore(file);
        return fixture.store;
      },
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
    return fixture;
  },
  { durable: true },
);
