import { describeBusContract } from '@arbiter/bus/testing';
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
