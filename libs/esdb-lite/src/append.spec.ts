import { randomUUID } from 'node:crypto';
import { EventStoreDBClient, WrongExpectedVersionError, binaryEvent, jsonEvent } from '@eventstore/db-client';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import { LiteFixture, startLiteWithClient } from './testing/lite-fixture';

const event = (n: number, id: string = randomUUID()) => jsonEvent({ id, type: 'test.happened', data: { n } });
/** With credentials the client appends through Streams.Append instead of BatchAppend. */
const singleCall = { credentials: { username: 'admin', password: 'changeit' } };

async function readRevisions(client: EventStoreDBClient, stream: string): Promise<bigint[]> {
  const revisions: bigint[] = [];
  for await (const resolved of client.readStream(stream)) revisions.push(resolved.event!.revision);
  return revisions;
}

describe('esdb-lite appends, through the official client', () => {
  let fixture: LiteFixture;
  let client: EventStoreDBClient;
  let stream: string;

  beforeEach(async () => {
    fixture = await startLiteWithClient((file) => new SqliteEventStore(file));
    client = fixture.client;
    stream = `append-${randomUUID()}`;
  });
  afterEach(() => fixture.dispose());

  it('refuses a stale expected revision with WrongExpectedVersionError and appends nothing', async () => {
    await client.appendToStream(stream, [event(0), event(1)], { expectedRevision: 'no_stream' });
    const refused = await client.appendToStream(stream, event(2), { expectedRevision: 0n }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WrongExpectedVersionError);
    expect((refused as WrongExpectedVersionError).actualVersion).toBe(1n);
    expect(await readRevisions(client, stream)).toEqual([0n, 1n]);
  });

  it('refuses a stale expected revision on the single-call Append too', async () => {
    await client.appendToStream(stream, event(0), { expectedRevision: 'no_stream', ...singleCall });
    const refused = await client.appendToStream(stream, event(1), { expectedRevision: 'no_stream', ...singleCall }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WrongExpectedVersionError);
    expect((refused as WrongExpectedVersionError).actualVersion).toBe(0n);
  });

  it('lets exactly one of two concurrent appends at the same revision win', async () => {
    await client.appendToStream(stream, event(0), { expectedRevision: 'no_stream' });
    const results = await Promise.allSettled([
      client.appendToStream(stream, event(1), { expectedRevision: 0n }),
      client.appendToStream(stream, event(2), { expectedRevision: 0n }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedVersionError);
    expect(await readRevisions(client, stream)).toEqual([0n, 1n]);
  });

  it('duplicates nothing when the same event ids are appended again', async () => {
    const ids = [randomUUID(), randomUUID()];
    const first = await client.appendToStream(stream, [event(0, ids[0]), event(1, ids[1])], { expectedRevision: 'no_stream' });
    const again = await client.appendToStream(stream, [event(0, ids[0]), event(1, ids[1])], { expectedRevision: 'no_stream' });
    const anyAgain = await client.appendToStream(stream, [event(0, ids[0]), event(1, ids[1])], { expectedRevision: 'any', ...singleCall });
    expect([again.nextExpectedRevision, anyAgain.nextExpectedRevision]).toEqual([first.nextExpectedRevision, first.nextExpectedRevision]);
    expect(await readRevisions(client, stream)).toEqual([0n, 1n]);
  });

  it('acknowledges an append with the revision and the position of its last event', async () => {
    const result = await client.appendToStream(stream, [event(0), event(1)], { expectedRevision: 'no_stream' });
    const events = [];
    for await (const resolved of client.readStream(stream)) events.push(resolved.event!);
    expect(result.nextExpectedRevision).toBe(1n);
    expect(result.position).toEqual(events[1].position);
  });

  it('keeps JSON events as JSON and binary events as bytes', async () => {
    const bytes = Uint8Array.from([0, 255, 10]);
    await client.appendToStream(stream, [jsonEvent({ type: 'json', data: { ok: true, name: 'ünï' } }), binaryEvent({ type: 'bin', data: bytes })]);
    const events = [];
    for await (const resolved of client.readStream(stream)) events.push(resolved.event!);
    expect(events.map((e) => [e.type, e.isJson])).toEqual([['json', true], ['bin', false]]);
    expect(events[0].data).toEqual({ ok: true, name: 'ünï' });
    expect(Buffer.from(events[1].data as Uint8Array).equals(Buffer.from(bytes))).toBe(true);
  });
});
