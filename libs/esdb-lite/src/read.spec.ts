import { randomUUID } from 'node:crypto';
import { BACKWARDS, END, EventStoreDBClient, ResolvedEvent, StreamNotFoundError, jsonEvent } from '@eventstore/db-client';
import { comparePositions } from '@arbiter/event-store';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import { LiteFixture, startLiteWithClient } from './testing/lite-fixture';

const event = (type: string, n: number) => jsonEvent({ type, data: { n } });

async function collect(read: AsyncIterable<ResolvedEvent>): Promise<ResolvedEvent[]> {
  const out: ResolvedEvent[] = [];
  for await (const resolved of read) out.push(resolved);
  return out;
}

const numbers = (events: ResolvedEvent[]) => events.map((e) => (e.event!.data as { n: number }).n);

describe('esdb-lite reads, through the official client', () => {
  let fixture: LiteFixture;
  let client: EventStoreDBClient;
  let stream: string;

  beforeEach(async () => {
    fixture = await startLiteWithClient((file) => new SqliteEventStore(file));
    client = fixture.client;
    stream = `read-${randomUUID()}`;
  });
  afterEach(() => fixture.dispose());

  it('raises StreamNotFoundError for a stream that does not exist', async () => {
    await expect(collect(client.readStream(`missing-${randomUUID()}`))).rejects.toBeInstanceOf(StreamNotFoundError);
  });

  it('reads a stream from a revision, and backwards from the end, up to a count', async () => {
    await client.appendToStream(stream, [0, 1, 2, 3, 4].map((n) => event('n', n)));
    expect(numbers(await collect(client.readStream(stream, { fromRevision: 2n, maxCount: 2 })))).toEqual([2, 3]);
    expect(numbers(await collect(client.readStream(stream, { fromRevision: END, direction: BACKWARDS, maxCount: 2 })))).toEqual([4, 3]);
  });

  it('reads $all in commit order with rising positions', async () => {
    const other = `${stream}-other`;
    await client.appendToStream(stream, event('n', 0));
    await client.appendToStream(other, event('n', 1));
    await client.appendToStream(stream, event('n', 2));
    const all = await collect(client.readAll());
    expect(numbers(all)).toEqual([0, 1, 2]);
    expect(all.map((e) => e.event!.streamId)).toEqual([stream, other, stream]);
    for (let i = 1; i < all.length; i++) expect(comparePositions(all[i - 1].event!.position!, all[i].event!.position!)).toBeLessThan(0);
    expect(all.map((e) => e.commitPosition)).toEqual(all.map((e) => e.event!.position!.commit));
  });

  it('reads $all forwards from a position, including the event there, and backwards from the end', async () => {
    await client.appendToStream(stream, [0, 1, 2, 3].map((n) => event('n', n)));
    const [, second] = await collect(client.readAll({ maxCount: 2 }));
    expect(numbers(await collect(client.readAll({ fromPosition: second.event!.position!, maxCount: 2 })))).toEqual([1, 2]);
    expect(numbers(await collect(client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 3 })))).toEqual([3, 2, 1]);
  });

  it('reads $all backwards from a position, starting with the event before it', async () => {
    await client.appendToStream(stream, [0, 1, 2, 3].map((n) => event('n', n)));
    const all = await collect(client.readAll());
    expect(numbers(await collect(client.readAll({ fromPosition: all[2].event!.position!, direction: BACKWARDS })))).toEqual([1, 0]);
  });
});
