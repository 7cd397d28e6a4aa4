import { randomUUID } from 'node:crypto';
import { consumeN } from '@arbiter/bus/testing';
import { collectLedgerLeaves, verifyRecords } from '@arbiter/ledger';
import { Simulator, publishDomainEvents } from '@arbiter/simulator';
import { SERVICE_KEYS } from '@arbiter/runtime';
import { BUSES, Running, freshDataDir, startAllInOne } from './harness';

describe.each(BUSES)('bad input on the domain topics (%s)', (_bus, busConfig) => {
  let running: Running;
  beforeAll(async () => {
    running = await startAllInOne(freshDataDir(), busConfig());
  });
  afterAll(() => running.close());

  it('dead-letters malformed events with a reason and keeps deciding on what follows', async () => {
    const bus = running.core.platform.bus;
    const poison = [
      'not json at all',
      JSON.stringify({ hello: 'world' }),
      JSON.stringify({ specversion: '1.0', id: 'x1', source: '/t', type: 'order.placed', subject: 'cus_9', data: { orderId: 'o', customerId: 'cus_9', items: [], totalCents: -5, currency: 'EUR', shipTo: { country: 'NL', postalCode: '1' } } }),
      JSON.stringify({ specversion: '1.0', id: 'x2', source: '/t', type: 'order.placed', subject: 'cus_9', data: { orderId: 'o', customerId: 'cus_9', items: [{ sku: 's', qty: 1 }], totalCents: 1.5, currency: 'EUR', shipTo: { country: 'NL', postalCode: '1' } } }),
    ];
    await bus.publish('commerce.orders', poison.map((value) => ({ key: 'cus_9', value })));
    const valid = [...new Simulator({ seed: 5 }).take(120)];
    await publishDomainEvents(bus, valid);
    await running.settle();

    const dead = await consumeN(bus, `dlq-${randomUUID()}`, ['commerce.orders.dlq'], poison.length, 5_000);
    expect(dead.map((m) => Buffer.from(m.value).toString('utf8'))).toEqual(poison);
    expect(dead.map((m) => m.headers['dlq-reason'])).toEqual([
      expect.stringMatching(/^not JSON/),
      expect.stringMatching(/^not a CloudEvent 1.0/),
      expect.stringMatching(/^invalid order.placed data/),
      expect.stringMatching(/^invalid order.placed data: totalCents/),
    ]);

    const leaves = await collectLedgerLeaves(running.core.platform.store);
    const report = verifyRecords(leaves, { trustRoot: running.core.keyRing.root });
    expect(report.failures).toEqual([]);
    // Besides a decision per event a decision point takes: a registration per service key, and a publication per policy.
    expect(report.entries).toBe(valid.filter((e) => running.core.engine.pointsFor(e.type).length > 0).length + SERVICE_KEYS.length + running.core.policies.all().length);
  });
});
