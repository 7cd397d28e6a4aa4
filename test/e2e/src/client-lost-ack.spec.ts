import { consumeN } from '@arbiter/bus/testing';
import { KafkaBus } from '@arbiter/bus-kafka';
import { OwnBroker } from '@arbiter/bus-kafka/testing';
import { ArbiterClient } from '@arbiter/client';
import { topicOf } from '@arbiter/contracts';

const order = (n: number) => ({
  type: 'order.placed' as const,
  subject: 'cus_lost_ack',
  id: `evt-lost-ack-${n}`,
  data: { orderId: `ord-lost-ack-${n}`, customerId: 'cus_lost_ack', items: [{ sku: 'sku-0001', qty: 1 }], totalCents: 1999, currency: 'EUR', shipTo: { country: 'DE', postalCode: '10115' }, promisedDays: 3 },
});

/**
 * A publish that times out may still have been written. The client's idempotent producer must not
 * go on numbering batches as if it had not: the broker would take the next one for a duplicate of
 * the unacknowledged batch, acknowledge it, and drop it.
 */
describe('the typed client, when a publish times out but the broker wrote it', () => {
  let broker: OwnBroker;
  beforeAll(async () => {
    broker = await OwnBroker.start();
  }, 300_000);
  afterAll(() => broker.dispose(), 120_000);

  it('delivers every later event: none is acknowledged and dropped', async () => {
    const topic = topicOf('order.placed');
    const bus = new KafkaBus({ brokers: broker.brokers });
    await bus.ensureTopics([{ name: topic, partitions: 4 }]);
    const client = await ArbiterClient.connect({ brokers: broker.brokers, source: '/shop/orders', requestTimeoutMs: 1_500, retries: 1 });
    try {
      await client.publish(order(1));
      await broker.paused(() => expect(client.publish(order(2))).rejects.toThrow());
      await client.publish(order(3));
      await client.publish(order(4));

      const ids = (await consumeN(bus, 'check-lost-ack', [topic], 4, 15_000)).map((m) => JSON.parse(Buffer.from(m.value).toString('utf8')).id as string);
      expect(ids.filter((id) => id !== 'evt-lost-ack-2')).toEqual(['evt-lost-ack-1', 'evt-lost-ack-3', 'evt-lost-ack-4']);
    } finally {
      await client.close();
      await bus.close();
    }
  }, 120_000);
});
