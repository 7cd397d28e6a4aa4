import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient } from '@eventstore/db-client';
import type { EventStore } from '@arbiter/event-store';
import { EsdbLite, startEsdbLite } from '../esdb-lite';

export interface LiteFixture {
  lite: EsdbLite;
  client: EventStoreDBClient;
  dispose(): Promise<void>;
}

/** esdb-lite on a fresh data directory, on a free port, with an official client connected to it. */
export async function startLiteWithClient(openStore: (file: string) => EventStore): Promise<LiteFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'esdb-lite-'));
  const lite = await startEsdbLite({ store: openStore(join(dir, 'events.db')) });
  const client = EventStoreDBClient.connectionString(lite.url);
  return {
    lite,
    client,
    dispose: async () => {
      await client.dispose();
      await lite.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
