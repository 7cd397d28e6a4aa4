import { randomUUID } from 'node:crypto';
import { END, EventStoreDBClient, Position, ResolvedEvent, eventTypeFilter, jsonEvent, streamNameFilter } from '@eventstore/db-client';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import { LiteFixture, startLiteWithClient } from './testing/lite-fixture';

const event = (type: string, n: number) => jsonEvent({ type, data: { n } });

type Subscription = AsyncIterable<ResolvedEvent> & NodeJS.EventEmitter & { unsubscribe(): Promise<void> };

/** What a subscription delivers, in order, with "caught up" marked where the server says it. */
function record(subscription: Subscription) {
  const seen: Array<number | 'caught up'> = [];
  subscription.on('caughtUp', () => seen.push('caught up'));
  subscription.on('data', (resolved: ResolvedEvent) => seen.push((resolved.event!.data as { n: number }).n));
  return seen;
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('esdb-lite subscriptions, through the official client', () => {
  let fixture: LiteFixture;
  let client: EventStoreDBClient;
  let stream: string;

  beforeEach(async () => {
    fixture = await startLiteWithClient((file) => new SqliteEventStore(file));
    client = fixture.client;
    stream = `sub-${randomUUID()}`;
  });
  afterEach(() => fixture.dispose());

  it('delivers a stream history, then "caught up", then live events', async () => {
    await client.appendToStream(stream, [event('n', 0), event('n', 1)]);
    const subscription = client.subscribeToStream(stream);
    const seen = record(subscription);
    await until(() => seen.includes('caught up'));
    await client.appendToStream(stream, event('n', 2));
    await client.appendToStream(`${stream}-other`, event('n', 99));
    await until(() => seen.length === 4);
    await subscription.unsubscribe();
    expect(seen).toEqual([0, 1, 'caught up', 2]);
  });

  it('delivers only the events after the revision a stream subscription starts from', async () => {
    await client.appendToStream(stream, [0, 1, 2].map((n) => event('n', n)));
    const subscription = client.subscribeToStream(stream, { fromRevision: 0n });
    const seen = record(subscription);
    await until(() => seen.includes('caught up'));
    await subscription.unsubscribe();
    expect(seen).toEqual([1, 2, 'caught up']);
  });

  it('waits for a stream that does not exist yet', async () => {
    const subscription = client.subscribeToStream(stream);
    const seen = record(subscription);
    await until(() => seen.includes('caught up'));
    await client.appendToStream(stream, event('n', 0));
    await until(() => seen.length === 2);
    await subscription.unsubscribe();
    expect(seen).toEqual(['caught up', 0]);
  });

  it('delivers $all after a position, then live events', async () => {
    await client.appendToStream(stream, [0, 1].map((n) => event('n', n)));
    let first: Position | undefined;
    for await (const resolved of client.readAll({ maxCount: 1 })) first = resolved.event!.position;
    const subscription = client.subscribeToAll({ fromPosition: first! });
    const seen = record(subscription);
    await until(() => seen.includes('caught up'));
    await client.appendToStream(stream, event('n', 2));
    await until(() => seen.length === 3);
    await subscription.unsubscribe();
    expect(seen).toEqual([1, 'caught up', 2]);
  });

  it('delivers only live events when subscribing to $all from the end', async () => {
    await client.appendToStream(stream, event('n', 0));
    const subscription = client.subscribeToAll({ fromPosition: END });
    const seen = record(subscription);
    await until(() => seen.includes('caught up'));
    await client.appendToStream(stream, event('n', 1));
    await until(() => seen.length === 2);
    await subscription.unsubscribe();
    expect(seen).toEqual(['caught up', 1]);
  });

  it('holds a stream name filter on $all, history and live', async () => {
    await client.appendToStream(`${stream}-a`, event('n', 0));
    await client.appendToStream(`other-${stream}`, event('n', 1));
    const subscription = client.subscribeToAll({ filter: streamNameFilter({ prefixes: [`${stream}-`] }) });
    const seen = record(subscription);
    await until(() => seen.includes('caught up'));
    await client.appendToStream(`other-${stream}`, event('n', 2));
    await client.appendToStream(`${stream}-b`, event('n', 3));
    await until(() => seen.length === 3);
    await subscription.unsubscribe();
    expect(seen).toEqual([0, 'caught up', 3]);
  });

  it('holds an event type filter by prefix and by regular expression', async () => {
    await client.appendToStream(stream, [event('order.placed', 0), event('payment.failed', 1), event('order.shipped', 2)]);
    const byPrefix = client.subscribeToAll({ filter: eventTypeFilter({ prefixes: ['order.'] }) });
    const byRegex = client.subscribeToAll({ filter: eventTypeFilter({ regex: '^payment\\.' }) });
    const [prefixed, matched] = [record(byPrefix), record(byRegex)];
    await until(() => prefixed.includes('caught up') && matched.includes('caught up'));
    await Promise.all([byPrefix.unsubscribe(), byRegex.unsubscribe()]);
    expect([prefixed, matched]).toEqual([[0, 2, 'caught up'], [1, 'caught up']]);
  });

  it('sends checkpoints on a filtered $all subscription while nothing matches', async () => {
    await client.appendToStream(stream, Array.from({ length: 10 }, (_, n) => event('noise', n)));
    const checkpoints: Position[] = [];
    const subscription = client.subscribeToAll({
      filter: eventTypeFilter({ prefixes: ['signal'], maxSearchWindow: 2, checkpointInterval: 2, checkpointReached: (_s, position) => void checkpoints.push(position) }),
    });
    const seen = record(subscription);
    await until(() => seen.includes('caught up') && checkpoints.length === 2);
    await subscription.unsubscribe();
    expect(seen).toEqual(['caught up']);
    expect(checkpoints[1].commit).toBeGreaterThan(checkpoints[0].commit);
  });
});
