import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreUnavailableError, StoredEvent } from '@arbiter/event-store';
import { newEvent } from '@arbiter/event-store/testing';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import { EsdbLite, startEsdbLite } from '@arbiter/esdb-lite';
import { EsdbEventStore } from './esdb-event-store';

const text = (e: StoredEvent) => Buffer.from(e.data).toString('utf8');

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('EsdbEventStore when the server goes away', () => {
  let dir: string;
  let file: string;
  let lite: EsdbLite;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'arbiter-esdb-reconnect-'));
    file = join(dir, 'events.db');
    lite = await startEsdbLite({ store: new SqliteEventStore(file) });
  });
  afterEach(async () => {
    await lite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resumes a subscription after the last delivered event once the server is back, losing and repeating nothing', async () => {
    const store = EsdbEventStore.connect(lite.url, { reconnect: { initialDelayMs: 50, maxDelayMs: 200 } });
    await store.append('orders', [newEvent('n', { n: 0 }), newEvent('n', { n: 1 })], 'no_stream');
    const subscription = store.subscribeAll();
    const received: string[] = [];
    const consuming = (async () => {
      for await (const event of subscription) received.push(text(event));
    })();
    await until(() => received.length === 2);
    const port = lite.port;
    await lite.close();
    lite = await startEsdbLite({ store: new SqliteEventStore(file), port });
    await store.append('orders', [newEvent('n', { n: 2 })], 1n);
    await until(() => received.length === 3);
    await subscription.close();
    await consuming;
    await store.close();
    expect(received).toEqual(['{"n":0}', '{"n":1}', '{"n":2}']);
  });

  it('raises StoreUnavailableError for an append while nothing listens', async () => {
    const store = EsdbEventStore.connect(lite.url);
    await lite.close();
    await expect(store.append('orders', [newEvent()], 'any')).rejects.toBeInstanceOf(StoreUnavailableError);
    await store.close();
  });

  it('gives a subscription up with StoreUnavailableError after the attempts its policy allows', async () => {
    const store = EsdbEventStore.connect(lite.url, { reconnect: { initialDelayMs: 10, maxDelayMs: 20, maxAttempts: 2 } });
    await lite.close();
    const subscription = store.subscribeAll();
    const failure = (async () => {
      for await (const _ of subscription) throw new Error('no event can arrive');
    })();
    await expect(failure).rejects.toBeInstanceOf(StoreUnavailableError);
    await store.close();
  });
});
