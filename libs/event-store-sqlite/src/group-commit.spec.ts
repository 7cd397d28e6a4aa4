import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WrongExpectedVersionError } from '@arbiter/event-store';
import { collect, newEvent } from '@arbiter/event-store/testing';
import { SqliteEventStore } from './sqlite-event-store';

describe('SqliteEventStore group commit', () => {
  let dir: string;
  let file: string;
  let store: SqliteEventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'arbiter-group-commit-'));
    file = join(dir, 'events.db');
    store = new SqliteEventStore(file);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits appends made together, and a refused one leaves the others in place', async () => {
    const results = await Promise.allSettled([
      store.append('a', [newEvent()], 'no_stream'),
      store.append('b', [newEvent()], 5n),
      store.append('c', [newEvent(), newEvent()], 'no_stream'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedVersionError);
    await store.close();
    store = new SqliteEventStore(file);
    expect((await collect(store.readAll())).map((e) => `${e.stream}@${e.revision}`)).toEqual(['a@0', 'c@0', 'c@1']);
  });

  it('applies appends and deletes in the order they were called', async () => {
    const appended = store.append('orders', [newEvent()], 'no_stream');
    const deleted = store.deleteStream('orders', 0n);
    await Promise.all([appended, deleted]);
    await expect(collect(store.readStream('orders'))).rejects.toMatchObject({ code: 'stream-not-found' });
  });

  it('commits what is queued when the store closes', async () => {
    const appended = store.append('late', [newEvent()], 'no_stream');
    await store.close();
    await appended;
    store = new SqliteEventStore(file);
    expect(await collect(store.readStream('late'))).toHaveLength(1);
  });
});
