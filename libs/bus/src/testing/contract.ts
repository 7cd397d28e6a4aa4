import { randomUUID } from 'node:crypto';
import { Bus, BusMessage, DEDUPE_HEADER, deadLetterTopic } from '../bus';
import { eachMessageWithDeadLetters } from '../dead-letter';

export interface BusFixture {
  bus: Bus;
  /** Closes the bus and opens it again on the same data, for durability checks. */
  reopen?: () => Promise<Bus>;
  dispose?: () => Promise<void>;
}

export interface BusContractOptions {
  onlyWhen?: unknown;
  durable?: boolean;
}

/** Consumes until `count` messages have arrived (or the deadline passes), then stops. */
export async function consumeN(bus: Bus, group: string, topics: string[], count: number, timeoutMs = 15_000): Promise<BusMessage[]> {
  const received: BusMessage[] = [];
  let resolve!: () => void;
  const enough = new Promise<void>((r) => (resolve = r));
  const consumer = await bus.consume({
    group,
    topics,
    eachBatch: async (batch) => {
      received.push(...batch.messages);
      if (received.length >= count) resolve();
    },
  });
  const timer = setTimeout(resolve, timeoutMs);
  await enough;
  clearTimeout(timer);
  await consumer.stop();
  return received;
}

const text = (m: BusMessage) => Buffer.from(m.value).toString('utf8');

export function describeBusContract(name: string, open: () => Promise<BusFixture>, options: BusContractOptions = {}): void {
  if ('onlyWhen' in options && !options.onlyWhen) return;
  describe(`Bus contract: ${name}`, () => {
    let fixture: BusFixture;
    let bus: Bus;
    let topic: string;

    beforeEach(async () => {
      fixture = await open();
      bus = fixture.bus;
      topic = `contract.${randomUUID()}`;
      await bus.ensureTopics([{ name: topic, partitions: 3 }, { name: deadLetterTopic(topic), partitions: 1 }]);
    });
    afterEach(async () => {
      await bus.close();
      await fixture.dispose?.();
    });

    it('delivers one key\'s messages in the order they were published, on one partition', async () => {
      const values = Array.from({ length: 20 }, (_, i) => `m${i}`);
      await bus.publish(topic, values.map((value) => ({ key: 'cus_1', value })));
      const got = await consumeN(bus, `g-${randomUUID()}`, [topic], 20);
      expect(got.map(text)).toEqual(values);
      expect(new Set(got.map((m) => m.partition)).size).toBe(1);
    });

    it('spreads keys over partitions and keeps headers', async () => {
      await bus.publish(topic, Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: 'v', headers: { 'ce-id': `e${i}` } })));
      const got = await consumeN(bus, `g-${randomUUID()}`, [topic], 30);
      expect(got).toHaveLength(30);
      expect(new Set(got.map((m) => m.partition)).size).toBeGreaterThan(1);
      expect(got.map((m) => m.headers['ce-id']).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `e${i}`).sort());
    });

    it('resumes a group after its committed offsets, with nothing redelivered', async () => {
      const group = `g-${randomUUID()}`;
      await bus.publish(topic, [{ key: 'a', value: '1' }, { key: 'a', value: '2' }]);
      expect((await consumeN(bus, group, [topic], 2)).map(text)).toEqual(['1', '2']);
      await bus.publish(topic, [{ key: 'a', value: '3' }]);
      expect((await consumeN(bus, group, [topic], 1)).map(text)).toEqual(['3']);
      expect(await bus.lag(group, [topic])).toBe(0n);
    });

    it('redelivers a batch whose handler failed, because its offsets were never committed', async () => {
      const group = `g-${randomUUID()}`;
      await bus.publish(topic, [{ key: 'a', value: 'only' }]);
      const failing = await bus.consume({ group, topics: [topic], eachBatch: async () => Promise.reject(new Error('crash')) });
      await expect(failing.done).rejects.toThrow('crash');
      expect(await bus.lag(group, [topic])).toBe(1n);
      expect((await consumeN(bus, group, [topic], 1)).map(text)).toEqual(['only']);
    });

    it('sends poison messages to the dead-letter topic with the reason and keeps the partition flowing', async () => {
      const group = `g-${randomUUID()}`;
      await bus.publish(topic, [{ key: 'a', value: 'good-1' }, { key: 'a', value: 'poison' }, { key: 'a', value: 'good-2' }]);
      const handled: string[] = [];
      let resolve!: () => void;
      const finished = new Promise<void>((r) => (resolve = r));
      const consumer = await bus.consume({
        group,
        topics: [topic],
        eachBatch: eachMessageWithDeadLetters(
          bus,
          async (m) => {
            if (text(m) === 'poison') throw Object.assign(new Error('not a CloudEvent'), { code: 'contract-violation' });
            handled.push(text(m));
            if (handled.length === 2) resolve();
          },
          { isPermanent: (e) => (e as { code?: string }).code === 'contract-violation' },
        ),
      });
      await finished;
      await consumer.stop();
      expect(handled).toEqual(['good-1', 'good-2']);
      const [dead] = await consumeN(bus, `dlq-${randomUUID()}`, [deadLetterTopic(topic)], 1);
      expect(text(dead)).toBe('poison');
      expect(dead.headers['dlq-reason']).toBe('not a CloudEvent');
      expect(dead.headers['dlq-topic']).toBe(topic);
    });

    it('publishes a message carrying a dedupe key at most once', async () => {
      await bus.publish(topic, [{ key: 'a', value: 'x', headers: { [DEDUPE_HEADER]: 'd-1' } }]);
      await bus.publish(topic, [{ key: 'a', value: 'x', headers: { [DEDUPE_HEADER]: 'd-1' } }, { key: 'a', value: 'y', headers: { [DEDUPE_HEADER]: 'd-2' } }]);
      const group = `g-${randomUUID()}`;
      expect((await consumeN(bus, group, [topic], 2)).map(text)).toEqual(['x', 'y']);
      expect(await bus.lag(group, [topic])).toBe(0n);
    });

    if (options.durable) {
      it('keeps published messages and committed offsets across a close and reopen', async () => {
        if (!fixture.reopen) throw new Error('a durable adapter fixture must provide reopen');
        const group = `g-${randomUUID()}`;
        await bus.publish(topic, [{ key: 'a', value: '1' }, { key: 'a', value: '2' }]);
        await consumeN(bus, group, [topic], 2);
        await bus.publish(topic, [{ key: 'a', value: '3' }]);
        bus = await fixture.reopen();
        expect((await consumeN(bus, group, [topic], 1)).map(text)).toEqual(['3']);
      });

      it('still refuses a dedupe key after a close and reopen (a producer resending after a crash)', async () => {
        if (!fixture.reopen) throw new Error('a durable adapter fixture must provide reopen');
        await bus.publish(topic, [{ key: 'a', value: 'first', headers: { [DEDUPE_HEADER]: 'decision-1' } }]);
        bus = await fixture.reopen();
        await bus.publish(topic, [
          { key: 'a', value: 'resent', headers: { [DEDUPE_HEADER]: 'decision-1' } },
          { key: 'a', value: 'next', headers: { [DEDUPE_HEADER]: 'decision-2' } },
        ]);
        const group = `g-${randomUUID()}`;
        expect((await consumeN(bus, group, [topic], 2)).map(text)).toEqual(['first', 'next']);
        expect(await bus.lag(group, [topic])).toBe(0n);
      });
    }
  });
}
