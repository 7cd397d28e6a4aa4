import { consumeN } from '@arbiter/bus/testing';
import { KafkaBus } from './kafka-bus';
import { OwnBroker } from './testing';

const text = (m: { value: Uint8Array }) => Buffer.from(m.value).toString('utf8');

/**
 * A send whose acknowledgement never arrives may still have been written. An idempotent producer
 * that carried on would number its next batch as the lost one, and the broker would take that
 * batch for a duplicate of what it already holds: acknowledged, and dropped.
 */
describe('the Kafka bus, when a publish times out but the broker wrote it', () => {
  let broker: OwnBroker;
  beforeAll(async () => {
    broker = await OwnBroker.start();
  }, 300_000);
  afterAll(() => broker.dispose(), 120_000);

  it('delivers every later publish: none is taken for a duplicate of the unacknowledged one', async () => {
    const bus = new KafkaBus({ brokers: broker.brokers, requestTimeoutMs: 1_500, retries: 1 });
    const topic = `lost-ack-${Date.now()}`;
    try {
      await bus.publish(topic, [{ key: 'a', value: 'first' }]);
      // The broker is paused: the request waits in its socket, and the client gives up on it.
      await broker.paused(() => expect(bus.publish(topic, [{ key: 'a', value: 'unacknowledged' }])).rejects.toThrow());
      await bus.publish(topic, [{ key: 'a', value: 'after' }]);
      await bus.publish(topic, [{ key: 'a', value: 'last' }]);

      const got = (await consumeN(bus, `check-${topic}`, [topic], 4, 15_000)).map(text);
      expect(got.filter((v) => v !== 'unacknowledged')).toEqual(['first', 'after', 'last']);
    } finally {
      await bus.close();
    }
  }, 120_000);
});
