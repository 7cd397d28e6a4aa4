import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { EventStore, NewEvent, ReadAllOptions, StoredEvent, comparePositions, exactData, readAllText } from '../event-store';
import { StreamDeletedError, StreamNotFoundError, WrongExpectedVersionError } from '../errors';

export interface EventStoreFixture {
  store: EventStore;
  /** Closes the store and opens it again on the same data, for durability checks. */
  reopen?: () => Promise<EventStore>;
  dispose?: () => Promise<void>;
}

export interface ContractOptions {
  /**
   * Only where this is truthy (e.g. a connection string for a real server): an opt-in target,
   * not registered at all elsewhere.
   */
  onlyWhen?: unknown;
  /** The adapter keeps data on disk; the fixture's reopen proves it. */
  durable?: boolean;
}

export function newEvent(type = 'test.happened', payload: unknown = { n: 1 }): NewEvent {
  return { id: randomUUID(), type, data: Buffer.from(JSON.stringify(payload)) };
}

export async function collect<T>(iterable: AsyncIterable<T>, limit = Infinity): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) {
    out.push(item);
    if (out.length >= limit) break;
  }
  return out;
}

const text = (e: StoredEvent) => Buffer.from(e.data).toString('utf8');

/**
 * The behaviour every event-store adapter must show. Stream names are unique per test so
 * the suite can run against a shared, non-empty server.
 */
export function describeEventStoreContract(name: string, open: () => Promise<EventStoreFixture>, options: ContractOptions = {}): void {
  if ('onlyWhen' in options && !options.onlyWhen) return;
  describe(`EventStore contract: ${name}`, () => {
    let fixture: EventStoreFixture;
    let store: EventStore;
    let stream: string;

    beforeEach(async () => {
      fixture = await open();
      store = fixture.store;
      stream = `contract-${randomUUID()}`;
    });
    afterEach(async () => {
      await store.close();
      await fixture.dispose?.();
    });

    it('appends to a new stream with no_stream and reads the events back in order', async () => {
      const first = await store.append(stream, [newEvent('a', { n: 1 }), newEvent('b', { n: 2 })], 'no_stream');
      expect(first.nextExpectedRevision).toBe(1n);
      const events = await collect(store.readStream(stream));
      expect(events.map((e) => [e.revision, e.type, text(e)])).toEqual([
        [0n, 'a', '{"n":1}'],
        [1n, 'b', '{"n":2}'],
      ]);
      expect(events.every((e) => e.stream === stream)).toBe(true);
    });

    it('refuses a stale expected revision and appends nothing', async () => {
      await store.append(stream, [newEvent(), newEvent()], 'no_stream');
      await expect(store.append(stream, [newEvent()], 0n)).rejects.toBeInstanceOf(WrongExpectedVersionError);
      await expect(store.append(stream, [newEvent()], 'no_stream')).rejects.toBeInstanceOf(WrongExpectedVersionError);
      expect(await collect(store.readStream(stream))).toHaveLength(2);
    });

    it('lets exactly one of two concurrent appends at the same revision win', async () => {
      await store.append(stream, [newEvent()], 'no_stream');
      const results = await Promise.allSettled([store.append(stream, [newEvent('x')], 0n), store.append(stream, [newEvent('y')], 0n)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason).toBeInstanceOf(WrongExpectedVersionError);
      expect(await collect(store.readStream(stream))).toHaveLength(2);
    });

    it('checks stream_exists and lets any append anywhere', async () => {
      await expect(store.append(stream, [newEvent()], 'stream_exists')).rejects.toBeInstanceOf(WrongExpectedVersionError);
      await store.append(stream, [newEvent()], 'any');
      await store.append(stream, [newEvent()], 'stream_exists');
      await store.append(stream, [newEvent()], 'any');
      expect((await collect(store.readStream(stream))).map((e) => e.revision)).toEqual([0n, 1n, 2n]);
    });

    it('raises StreamNotFoundError when reading a stream that does not exist', async () => {
      await expect(collect(store.readStream(`missing-${randomUUID()}`))).rejects.toBeInstanceOf(StreamNotFoundError);
    });

    it('duplicates nothing when the same event ids are appended again at the same revision', async () => {
      const events = [newEvent(), newEvent()];
      const first = await store.append(stream, events, 'no_stream');
      const again = await store.append(stream, events, 'no_stream');
      expect(again.nextExpectedRevision).toBe(first.nextExpectedRevision);
      expect(await collect(store.readStream(stream))).toHaveLength(2);
    });

    it('reads a stream backwards, from a revision, and up to a count', async () => {
      await store.append(stream, [0, 1, 2, 3, 4].map((n) => newEvent('n', { n })), 'no_stream');
      const backwards = await collect(store.readStream(stream, { direction: 'backwards', from: 'end', maxCount: 2 }));
      expect(backwards.map((e) => e.revision)).toEqual([4n, 3n]);
      const middle = await collect(store.readStream(stream, { from: 2n, maxCount: 2 }));
      expect(middle.map((e) => e.revision)).toEqual([2n, 3n]);
    });

    it('reads $all in commit order with rising positions, filtered by event type', async () => {
      const other = `${stream}-other`;
      await store.append(stream, [newEvent('contract.kept', { i: 1 })], 'no_stream');
      await store.append(other, [newEvent('contract.dropped', { i: 2 })], 'no_stream');
      await store.append(stream, [newEvent('contract.kept', { i: 3 })], 0n);
      const all = (await collect(store.readAll())).filter((e) => e.stream.startsWith(stream));
      expect(all.map(text)).toEqual(['{"i":1}', '{"i":2}', '{"i":3}']);
      for (let i = 1; i < all.length; i++) expect(comparePositions(all[i - 1].position, all[i].position)).toBeLessThan(0);
      const kept = await collect(store.readAll({ filter: { streamPrefixes: [stream], eventTypePrefixes: ['contract.kept'] } }));
      expect(kept.map(text)).toEqual(['{"i":1}', '{"i":3}']);
    });

    it('reads $all as text a page at a time: the events readAll reads, in the same order', async () => {
      const other = `${stream}-other`;
      const many = Array.from({ length: 1_205 }, (_, i) => newEvent(i % 2 ? 'contract.text' : 'contract.skipped', { i, note: 'ünï' }));
      await store.append(stream, many, 'no_stream');
      const notUtf8 = Uint8Array.from([0x7b, 0xff, 0xc0, 0x80, 0x7d]);
      await store.append(
        other,
        [
          { id: randomUUID(), type: 'contract.text', data: Uint8Array.from([0x7b, 0x7d]), metadata: Buffer.from('{"m":1}') },
          { id: randomUUID(), type: 'contract.text', data: notUtf8 },
        ],
        'no_stream',
      );
      const asText = (e: StoredEvent) => ({
        id: e.id, stream: e.stream, revision: e.revision, type: e.type, position: e.position, data: text(e), metadata: e.metadata && Buffer.from(e.metadata).toString('utf8'),
        ...(isUtf8(e.data) ? {} : { dataBytes: e.data }),
      });
      const pages = async (options: ReadAllOptions) => (await collect(readAllText(store, options))).flat();
      const cases: [ReadAllOptions, number][] = [
        [{ filter: { streamPrefixes: [stream], eventTypePrefixes: ['contract.text'] } }, 604],
        [{ filter: { streamPrefixes: [stream] }, maxCount: 7 }, 7],
        [{ filter: { streamPrefixes: [stream] }, direction: 'backwards', maxCount: 1_100 }, 1_100],
      ];
      for (const [options, count] of cases) {
        const expected = (await collect(store.readAll(options))).map(asText);
        expect(expected).toHaveLength(count);
        expect(await pages(options)).toEqual(expected);
      }
      const [tenth] = (await collect(store.readAll({ filter: { streamPrefixes: [stream] } }), 10)).slice(-1);
      const after = await pages({ after: tenth.position, filter: { streamPrefixes: [stream] } });
      expect(after.map((e) => e.data)).toEqual([...many.slice(10).map((e) => Buffer.from(e.data).toString('utf8')), '{}', Buffer.from(notUtf8).toString('utf8')]);
      // What a verifier hashes: the stored bytes, exactly, whether text or not.
      expect(after.map((e) => Buffer.from(exactData(e)))).toEqual([...many.slice(10).map((e) => Buffer.from(e.data)), Buffer.from('{}'), Buffer.from(notUtf8)]);
      expect(after.slice(-2).map((e) => e.dataBytes && Buffer.from(e.dataBytes))).toEqual([undefined, Buffer.from(notUtf8)]);
    });

    it('subscribes to $all with history first, then live events, after a checkpoint', async () => {
      await store.append(stream, [newEvent('contract.sub', { i: 1 }), newEvent('contract.sub', { i: 2 })], 'no_stream');
      const [first] = await collect(store.readAll({ filter: { streamPrefixes: [stream] } }), 1);
      const subscription = store.subscribeAll({ after: first.position, filter: { streamPrefixes: [stream] } });
      const received: string[] = [];
      const done = (async () => {
        for await (const e of subscription) {
          received.push(text(e));
          if (received.length === 2) break;
        }
      })();
      await store.append(stream, [newEvent('contract.sub', { i: 3 })], 1n);
      await done;
      await subscription.close();
      expect(received).toEqual(['{"i":2}', '{"i":3}']);
    });

    it('reads $all backwards from a position, newest first', async () => {
      await store.append(stream, [0, 1, 2].map((n) => newEvent('n', { n })), 'no_stream');
      const forwards = await collect(store.readAll({ filter: { streamPrefixes: [stream] } }));
      const backwards = await collect(store.readAll({ direction: 'backwards', after: forwards[2].position, filter: { streamPrefixes: [stream] }, maxCount: 2 }));
      expect(backwards.map(text)).toEqual(['{"n":1}', '{"n":0}']);
    });

    it('reports a head position at or after the last appended event', async () => {
      await store.append(stream, [newEvent(), newEvent()], 'no_stream');
      const [last] = await collect(store.readStream(stream, { direction: 'backwards', from: 'end', maxCount: 1 }));
      const all = await collect(store.readAll({ filter: { streamPrefixes: [stream] } }));
      const head = await store.headPosition();
      expect(head).not.toBeNull();
      expect(comparePositions(head!, all[all.length - 1].position)).toBeGreaterThanOrEqual(0);
      expect(all[all.length - 1].id).toBe(last.id);
    });

    it('gives binary data and metadata back byte for byte', async () => {
      const data = Uint8Array.from([0xff, 0x00, 0x7b, 0x80, 0x0a]);
      const metadata = Uint8Array.from([0xfe, 0x01, 0x02]);
      await store.append(stream, [{ id: randomUUID(), type: 'binary', data, metadata }], 'no_stream');
      const [event] = await collect(store.readStream(stream));
      expect(event.contentType).toBe('application/octet-stream');
      expect(Buffer.from(event.data).equals(Buffer.from(data))).toBe(true);
      expect(Buffer.from(event.metadata ?? []).equals(Buffer.from(metadata))).toBe(true);
    });

    it('gives text back byte for byte, whether or not it is valid UTF-8', async () => {
      const samples = [
        Buffer.from('{"note":"ünïcode 😀 \\u0000"}'),
        Buffer.from('\ufeff{"bom":true}'),
        Buffer.from('nul\u0000inside'),
        Buffer.from([0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]), // a lone surrogate, encoded: not UTF-8
        Buffer.from([0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x7d]), // an overlong encoding: not UTF-8
        Buffer.from([0xe2, 0x82]), // a truncated sequence
        Buffer.alloc(0),
      ];
      await store.append(stream, samples.map((data) => ({ id: randomUUID(), type: 'text', data, metadata: data })), 'no_stream');
      const events = await collect(store.readStream(stream));
      expect(events.map((e) => Buffer.from(e.data).toString('hex'))).toEqual(samples.map((s) => s.toString('hex')));
      expect(events.map((e) => Buffer.from(e.metadata ?? []).toString('hex'))).toEqual(samples.map((s) => s.toString('hex')));
      const all = (await collect(store.readAll())).filter((e) => e.stream === stream);
      expect(all.map((e) => Buffer.from(e.data).toString('hex'))).toEqual(samples.map((s) => s.toString('hex')));
    });

    it('keeps JSON events as JSON with the same value', async () => {
      const value = { order: 'o-1', items: [{ sku: 'a', qty: 2 }], note: 'ünïcode' };
      await store.append(stream, [{ ...newEvent('json', value), contentType: 'application/json' }], 'no_stream');
      const [event] = await collect(store.readStream(stream));
      expect(event.contentType).toBe('application/json');
      expect(JSON.parse(text(event))).toEqual(value);
    });

    describe('soft delete', () => {
      it('makes reads of the stream raise StreamNotFoundError', async () => {
        await store.append(stream, [newEvent(), newEvent()], 'no_stream');
        await store.deleteStream(stream, 1n);
        await expect(collect(store.readStream(stream))).rejects.toBeInstanceOf(StreamNotFoundError);
      });

      it('is refused at a stale expected revision, and the stream stays readable', async () => {
        await store.append(stream, [newEvent(), newEvent()], 'no_stream');
        await expect(store.deleteStream(stream, 0n)).rejects.toBeInstanceOf(WrongExpectedVersionError);
        expect(await collect(store.readStream(stream))).toHaveLength(2);
      });

      it('lets an append recreate the stream, revisions continuing after the last one', async () => {
        await store.append(stream, [newEvent('old', { n: 0 }), newEvent('old', { n: 1 })], 'no_stream');
        await store.deleteStream(stream, 1n);
        const result = await store.append(stream, [newEvent('new', { n: 2 })], 'any');
        expect(result.nextExpectedRevision).toBe(2n);
        const events = await collect(store.readStream(stream));
        expect(events.map((e) => [e.revision, text(e)])).toEqual([[2n, '{"n":2}']]);
      });

      it('lets the last revision recreate the stream', async () => {
        await store.append(stream, [newEvent(), newEvent()], 'no_stream');
        await store.deleteStream(stream, 1n);
        const result = await store.append(stream, [newEvent()], 1n);
        expect(result.nextExpectedRevision).toBe(2n);
      });

      it('lets no_stream recreate the stream once, and refuses it after', async () => {
        await store.append(stream, [newEvent()], 'no_stream');
        await store.deleteStream(stream, 'any');
        await store.append(stream, [newEvent(), newEvent()], 'no_stream');
        await expect(store.append(stream, [newEvent()], 'no_stream')).rejects.toBeInstanceOf(WrongExpectedVersionError);
        expect((await collect(store.readStream(stream))).map((e) => e.revision)).toEqual([1n, 2n]);
      });

      it('refuses stream_exists on the deleted stream with StreamDeletedError', async () => {
        await store.append(stream, [newEvent()], 'no_stream');
        await store.deleteStream(stream, 0n);
        await expect(store.append(stream, [newEvent()], 'stream_exists')).rejects.toBeInstanceOf(StreamDeletedError);
      });

      it('leaves the deleted events in $all', async () => {
        await store.append(stream, [newEvent('kept', { n: 0 }), newEvent('kept', { n: 1 })], 'no_stream');
        await store.deleteStream(stream, 1n);
        const all = await collect(store.readAll({ filter: { streamPrefixes: [stream] } }));
        expect(all.map(text)).toEqual(['{"n":0}', '{"n":1}']);
      });
    });

    describe('tombstone', () => {
      it('makes reads of the stream raise StreamDeletedError', async () => {
        await store.append(stream, [newEvent()], 'no_stream');
        await store.tombstoneStream(stream, 0n);
        await expect(collect(store.readStream(stream))).rejects.toBeInstanceOf(StreamDeletedError);
      });

      it('refuses every later append with StreamDeletedError, whatever the expected revision', async () => {
        await store.append(stream, [newEvent()], 'no_stream');
        await store.tombstoneStream(stream, 'any');
        for (const expected of ['any', 'no_stream', 'stream_exists', 0n] as const) {
          await expect(store.append(stream, [newEvent()], expected)).rejects.toBeInstanceOf(StreamDeletedError);
        }
      });

      it('is refused at a stale expected revision, and the stream stays readable', async () => {
        await store.append(stream, [newEvent(), newEvent()], 'no_stream');
        await expect(store.tombstoneStream(stream, 0n)).rejects.toBeInstanceOf(WrongExpectedVersionError);
        expect(await collect(store.readStream(stream))).toHaveLength(2);
      });

      it('is final: neither a soft delete nor another tombstone goes through', async () => {
        await store.append(stream, [newEvent()], 'no_stream');
        await store.tombstoneStream(stream, 0n);
        await expect(store.deleteStream(stream, 'any')).rejects.toBeInstanceOf(StreamDeletedError);
        await expect(store.tombstoneStream(stream, 'any')).rejects.toBeInstanceOf(StreamDeletedError);
      });

      it('ends a soft-deleted stream for good', async () => {
        await store.append(stream, [newEvent()], 'no_stream');
        await store.deleteStream(stream, 0n);
        await store.tombstoneStream(stream, 'any');
        await expect(store.append(stream, [newEvent()], 'any')).rejects.toBeInstanceOf(StreamDeletedError);
      });
    });

    if (options.durable) {
      it('keeps what was appended across a close and reopen', async () => {
        if (!fixture.reopen) throw new Error('a durable adapter fixture must provide reopen');
        await store.append(stream, [newEvent('kept', { durable: true })], 'no_stream');
        store = await fixture.reopen();
        const events = await collect(store.readStream(stream));
        expect(events.map(text)).toEqual(['{"durable":true}']);
        await expect(store.append(stream, [newEvent()], 'no_stream')).rejects.toBeInstanceOf(WrongExpectedVersionError);
      });

      it('keeps deletes across a close and reopen', async () => {
        if (!fixture.reopen) throw new Error('a durable adapter fixture must provide reopen');
        const tombstoned = `${stream}-tombstoned`;
        await store.append(stream, [newEvent()], 'no_stream');
        await store.append(tombstoned, [newEvent()], 'no_stream');
        await store.deleteStream(stream, 0n);
        await store.tombstoneStream(tombstoned, 0n);
        store = await fixture.reopen();
        await expect(collect(store.readStream(stream))).rejects.toBeInstanceOf(StreamNotFoundError);
        await expect(collect(store.readStream(tombstoned))).rejects.toBeInstanceOf(StreamDeletedError);
      });
    }
  });
}
