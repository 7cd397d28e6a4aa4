import { DEDUPE_HEADER } from '@arbiter/bus';
import { consumeN, describeBusContract } from '@arbiter/bus/testing';
import { KafkaBus } from './kafka-bus';
import { testBrokers } from './testing';

const brokers = testBrokers();

describeBusContract('Apache Kafka', async () => {
  const fixture = {
    bus: new KafkaBus({ brokers }),
    reopen: async () => {
      await fixture.bus.close();
      fixture.bus = new KafkaBus({ brokers });
      return fixture.bus;
    },
  };
  return fixture;
}, { durable: true });

describe('the Kafka bus, closing', () => {
  /** Sockets this process holds open to the broker. */
  const brokerSockets = () => {
    const port = Number(brokers[0].split(':').pop());
    return (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().filter((h) => (h as { remotePort?: number }).remotePort === port && !(h as { destroyed?: boolean }).destroyed).length;
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('leaves no connection open, even when first uses race each other, so a host process can exit', async () => {
    const before = brokerSockets();
    const bus = new KafkaBus({ brokers });
    const topic = `closing-${Date.now()}`;
    await Promise.all([
      bus.publish(topic, [{ key: 'k', value: '1' }]),
      bus.publish(topic, [{ key: 'k', value: '2' }]),
      bus.lag('closing', [topic]),
      bus.lag('closing', [topic]),
    ]);
    expect(brokerSockets()).toBeGreaterThan(before);
    await bus.close();
    await sleep(200);
    expect(brokerSockets()).toBe(before);
  });

  it('refuses work once closed instead of quietly reconnecting', async () => {
    const bus = new KafkaBus({ brokers });
    await bus.close();
    await expect(bus.lag('closing', ['anything'])).rejects.toThrow('closed');
    await expect(bus.publish('anything', [{ key: 'k', value: 'v' }])).rejects.toThrow('closed');
  });
});

describe('the Kafka bus, when a publish with dedupe keys fails', () => {
  it('sends those keys again on the next publish: a failed send does not count as sent', async () => {
    const bus = new KafkaBus({ brokers });
    const topic = `dedupe-failed-${Date.now()}`;
    try {
      await bus.publish(topic, [{ key: 'a', value: 'before', headers: { [DEDUPE_HEADER]: 'd-0' } }]);
      // Larger than the broker takes (message.max.bytes, 1 MiB by default): the broker refuses the batch.
      const tooLarge = 'x'.repeat(2 * 1024 * 1024);
      await expect(bus.publish(topic, [{ key: 'a', value: tooLarge, headers: { [DEDUPE_HEADER]: 'd-1' } }])).rejects.toThrow();
      await bus.publish(topic, [
        { key: 'a', value: 'resent', headers: { [DEDUPE_HEADER]: 'd-1' } },
        { key: 'a', value: 'again', headers: { [DEDUPE_HEADER]: 'd-0' } },
      ]);
      await bus.publish(topic, [{ key: 'a', value: 'twice', headers: { [DEDUPE_HEADER]: 'd-1' } }]);
      const got = await consumeN(bus, `check-${topic}`, [topic], 3, 10_000);
      expect(got.map((m) => Buffer.from(m.value).toString('utf8'))).toEqual(['before', 'resent']);
    } finally {
      await bus.close();
    }
  }, 60_000);
});
