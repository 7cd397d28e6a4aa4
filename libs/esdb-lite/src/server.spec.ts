import { randomUUID } from 'node:crypto';
import { credentials } from '@grpc/grpc-js';
import { EventStoreDBClient, jsonEvent, persistentSubscriptionToStreamSettingsFromDefaults } from '@eventstore/db-client';
import { ServerFeaturesClient } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import type { SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import { LiteFixture, startLiteWithClient } from './testing/lite-fixture';

describe('esdb-lite as a server', () => {
  let fixture: LiteFixture;

  beforeEach(async () => {
    fixture = await startLiteWithClient((file) => new SqliteEventStore(file));
  });
  afterEach(() => fixture.dispose());

  it('lists BatchAppend among its features, so the client appends through it', async () => {
    const features = new ServerFeaturesClient(`127.0.0.1:${fixture.lite.port}`, credentials.createInsecure());
    const supported = await new Promise<SupportedMethods>((resolve, reject) =>
      features.getSupportedMethods(new Empty(), (error, answer) => (error ? reject(error) : resolve(answer))),
    );
    features.close();
    const methods = supported.getMethodsList().map((m) => `${m.getServiceName()}/${m.getMethodName()}`);
    expect(methods).toEqual(expect.arrayContaining(['event_store.client.streams.streams/batchappend', 'event_store.client.streams.streams/read']));
  });

  it('answers persistent subscriptions with UNIMPLEMENTED, naming the operation', async () => {
    const error = await fixture.client
      .createPersistentSubscriptionToStream('orders', 'group', persistentSubscriptionToStreamSettingsFromDefaults())
      .catch((e: unknown) => e as Error);
    expect((error as Error).message).toMatch(/UNIMPLEMENTED.*persistent subscriptions.*PersistentSubscriptions\/Create/);
  });

  it('answers projections with UNIMPLEMENTED, naming the operation', async () => {
    const error = await fixture.client.createProjection('counter', 'fromAll().when({})').catch((e: unknown) => e as Error);
    expect((error as Error).message).toMatch(/UNIMPLEMENTED.*projections.*Projections\/Create/);
  });

  it('lets a client find it through gossip discovery', async () => {
    const discovering = EventStoreDBClient.connectionString(`esdb+discover://127.0.0.1:${fixture.lite.port}?tls=false`);
    const stream = `discovered-${randomUUID()}`;
    const result = await discovering.appendToStream(stream, jsonEvent({ type: 'found', data: {} }));
    await discovering.dispose();
    expect(result.nextExpectedRevision).toBe(0n);
  });

  it('is done with its port once closed', async () => {
    await fixture.lite.close();
    await expect(fixture.client.appendToStream(`after-${randomUUID()}`, jsonEvent({ type: 'late', data: {} }))).rejects.toThrow(/UNAVAILABLE|unavailable|ECONNREFUSED/i);
  });
});
