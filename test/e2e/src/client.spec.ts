import { ArbiterClient, DecisionTimeoutError } from '@arbiter/client';
import { ContractViolation } from '@arbiter/contracts';
import { BUSES, Running, freshDataDir, startAllInOne } from './harness';

describe('the typed client for service teams, on the real broker', () => {
  let running: Running;
  let client: ArbiterClient;

  beforeAll(async () => {
    const config = BUSES[1][1]();
    running = await startAllInOne(freshDataDir(), config);
    client = await ArbiterClient.connect({ brokers: config.kafkaBrokers!.split(','), topicPrefix: config.topicPrefix, source: '/shop/orders' });
  }, 120_000);
  afterAll(async () => {
    await client?.close();
    await running?.close();
  });

  const order = (n: number) => ({
    type: 'order.placed' as const,
    subject: `cus_client_${n % 3}`,
    data: { orderId: `ord-client-${n}`, customerId: `cus_client_${n % 3}`, items: [{ sku: 'sku-0001', qty: 1 }], totalCents: 1999, currency: 'EUR', shipTo: { country: 'DE', postalCode: '10115' }, promisedDays: 3 },
  });

  it('publishes events and awaits the decision about each one', async () => {
    const sent = await Promise.all([0, 1, 2, 3, 4, 5].map((n) => client.publish(order(n))));
    const decisions = await Promise.all(sent.map((e) => client.awaitDecision(e.id, 30_000)));
    decisions.forEach((d, i) => {
      expect(d.subject).toBe(sent[i].subject);
      expect(d.data.trigger.eventId).toBe(sent[i].id);
      expect(d.data.decisionPoint).toBe('order.fulfillment');
      expect(['approved', 'clamped', 'fallback']).toContain(d.data.outcome);
    });
  });

  it('refuses an invalid event before it leaves the service', async () => {
    const bad = { ...order(9), data: { ...order(9).data, totalCents: -1 } };
    await expect(client.publish(bad)).rejects.toBeInstanceOf(ContractViolation);
  });

  it('gives up with a typed error when no decision comes in time', async () => {
    const sent = await client.publish({ type: 'payment.succeeded', subject: 'cus_client_1', data: { paymentId: 'p-1', customerId: 'cus_client_1', amountCents: 1999, currency: 'EUR' } });
    await expect(client.awaitDecision(sent.id, 1_500)).rejects.toBeInstanceOf(DecisionTimeoutError);
  });
});
