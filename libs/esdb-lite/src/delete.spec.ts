import { randomUUID } from 'node:crypto';
import { EventStoreDBClient, ResolvedEvent, StreamDeletedError, StreamNotFoundError, WrongExpectedVersionError, jsonEvent } from '@eventstore/db-client';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import { LiteFixture, startLiteWithClient } from './testing/lite-fixture';

const event = (n: number) => jsonEvent({ type: 'n', data: { n } });
const singleCall = { credentials: { username: 'admin', password: 'changeit' } };

async function collect(read: AsyncIterable<ResolvedEvent>): Promise<ResolvedEvent[]> {
  const out: ResolvedEvent[] = [];
  for await (const resolved of read) out.push(resolved);
  return out;
}

describe('esdb-lite deletes, through the official client', () => {
  let fixture: LiteFixture;
  let client: EventStoreDBClient;
  let stream: string;

  beforeEach(async () => {
    fixture = await startLiteWithClient((file) => new SqliteEventStore(file));
    client = fixture.client;
    stream = `delete-${randomUUID()}`;
  });
  afterEach(() => fixture.dispose());

  it('refuses appends to a tombstoned stream with StreamDeletedError, on BatchAppend and Append', async () => {
    await client.appendToStream(stream, event(0));
    await client.tombstoneStream(stream);
    await expect(client.appendToStream(stream, event(1))).rejects.toBeInstanceOf(StreamDeletedError);
    await expect(client.appendToStream(stream, event(1), singleCall)).rejects.toBeInstanceOf(StreamDeletedError);
  });

  it('raises StreamDeletedError on reading a tombstoned stream', async () => {
    await client.appendToStream(stream, event(0));
    await client.tombstoneStream(stream, { expectedRevision: 0n });
    const error = await collect(client.readStream(stream)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamDeletedError);
    expect((error as StreamDeletedError).streamName).toBe(stream);
  });

  it('hides a soft-deleted stream until an append recreates it after its last revision', async () => {
    await client.appendToStream(stream, [event(0), event(1)]);
    await client.deleteStream(stream, { expectedRevision: 1n });
    await expect(collect(client.readStream(stream))).rejects.toBeInstanceOf(StreamNotFoundError);
    await client.appendToStream(stream, event(2), { expectedRevision: 'no_stream' });
    expect((await collect(client.readStream(stream))).map((e) => e.event!.revision)).toEqual([2n]);
  });

  it('refuses a delete at a stale expected revision with WrongExpectedVersionError', async () => {
    await client.appendToStream(stream, [event(0), event(1)]);
    const error = await client.deleteStream(stream, { expectedRevision: 0n }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect([(error as WrongExpectedVersionError).expectedVersion, (error as WrongExpectedVersionError).actualVersion]).toEqual([0n, 1n]);
  });
});
