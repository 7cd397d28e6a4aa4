import { collect, newEvent } from '@arbiter/event-store/testing';
import { EsdbEventStore } from './esdb-event-store';
import { EsdbLiteProcess, startEsdbLiteProcess } from './testing/esdb-lite-process';

/** More than one read page, so a reader that stops early leaves events unread. */
const EVENTS = 1200;

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  return Promise.race([work, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`not done within ${ms} ms`)), ms))]);
}

describe('EsdbEventStore closing, with esdb-lite in its own process', () => {
  let server: EsdbLiteProcess;
  let store: EsdbEventStore;

  beforeAll(async () => {
    server = await startEsdbLiteProcess();
    const filler = EsdbEventStore.connect(server.url);
    for (let i = 0; i < EVENTS / 100; i++) await filler.append(`many-${i}`, Array.from({ length: 100 }, () => newEvent()), 'no_stream');
    await filler.close();
  }, 60_000);
  afterAll(() => server.stop());
  beforeEach(() => {
    store = EsdbEventStore.connect(server.url);
  });

  it('closes promptly after an append and a look at the head position', async () => {
    await store.append('close-head', [newEvent()], 'any');
    expect(await store.headPosition()).not.toBeNull();
    await within(3000, store.close());
  });

  it('closes promptly after a read of $all stopped after its first event', async () => {
    expect(await collect(store.readAll(), 1)).toHaveLength(1);
    await within(3000, store.close());
  });

  it('closes promptly after a subscription stopped after its first event', async () => {
    expect(await collect(store.subscribeAll(), 1)).toHaveLength(1);
    await within(3000, store.close());
  });

  it('closes promptly with a subscription still open and unread, and ends it', async () => {
    const iterator = store.subscribeAll()[Symbol.asyncIterator]();
    await iterator.next();
    await within(3000, store.close());
    expect((await iterator.next()).done).toBe(true);
  });
});
