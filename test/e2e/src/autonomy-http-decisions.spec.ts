import { randomUUID } from 'node:crypto';
import { DECISIONS_TOPIC } from '@arbiter/contracts';
import { consumeN } from '@arbiter/bus/testing';
import { FixtureServer, answer } from '@arbiter/reasoner-openai/testing';
import { decideOverHttp } from './autonomy-helpers';
import { Running, freshDataDir, startAllInOne } from './harness';

const order = (id: string, customerId = 'cus_http') => ({
  specversion: '1.0', id, source: '/shop/orders', type: 'order.placed', subject: customerId,
  data: { orderId: `ord-${id}`, customerId, items: [{ sku: 'sku-0001', qty: 1 }], totalCents: 1999, currency: 'EUR', shipTo: { country: 'DE', postalCode: '10115' } },
});

describe('POST /v1/decisions: a service sends a CloudEvent and waits for the decision', () => {
  let running: Running;
  beforeAll(async () => {
    running = await startAllInOne(freshDataDir());
  }, 60_000);
  afterAll(() => running.close());

  it('answers 200 with the final decision, its verdict and its ledger entry', async () => {
    const { status, body } = await decideOverHttp(running, order('http-1'));
    expect(status).toBe(200);
    expect(body.decisions).toEqual([
      expect.objectContaining({ decisionPoint: 'order.fulfillment', outcome: expect.stringMatching(/approved|clamped|fallback/), action: expect.objectContaining({ type: expect.any(String) }), ledger: expect.objectContaining({ chain: 'decisions-cus_http' }) }),
    ]);
    expect(body.decisions[0].checks.length).toBeGreaterThan(0);
  });

  it('decides an event once however often it is sent, and the decision is relayed once', async () => {
    const first = await decideOverHttp(running, order('http-2'));
    const again = await decideOverHttp(running, order('http-2'));
    expect(again.body.decisions[0].decisionId).toBe(first.body.decisions[0].decisionId);
    expect(again.body.decisions[0].ledger).toEqual(first.body.decisions[0].ledger);
    await running.settle();
    const relayed = await consumeN(running.core.platform.bus, `http-${randomUUID()}`, [DECISIONS_TOPIC], 50, 1_500);
    expect(relayed.filter((m) => JSON.parse(Buffer.from(m.value).toString('utf8')).id === first.body.decisions[0].decisionId)).toHaveLength(1);
  });

  it('lets memory learn from events that arrive over HTTP', async () => {
    await decideOverHttp(running, order('http-3', 'cus_http_memory'));
    await running.settle();
    const memory = await running.core.memory.customerMemory('cus_http_memory');
    expect(memory.stats.orders).toBe(1);
  });

  it.each([
    ['an event that breaks its contract', { ...order('bad-1'), data: { ...order('bad-1').data, totalCents: -5 } }, 400, /invalid order.placed data: totalCents/],
    ['something that is not a CloudEvent', { hello: 'world' }, 400, /not a CloudEvent 1.0/],
    ['an event no decision point takes', { specversion: '1.0', id: 'd-1', source: '/t', type: 'order.delivered', subject: 'c', data: { orderId: 'o', customerId: 'c', warehouseId: 'wh-ams', deliveredDays: 2, onTime: true } }, 422, /no decision point takes order.delivered/],
  ])('refuses %s with a reason', async (_why, event, status, reason) => {
    const res = await decideOverHttp(running, event);
    expect(res.status).toBe(status);
    expect(res.body.message).toMatch(reason);
  });

  it('refuses a caller without the API key', async () => {
    const res = await fetch(`${running.url}/v1/decisions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(order('http-5')) });
    expect(res.status).toBe(401);
  });

  it('accepts CloudEvents in structured mode under their own media type', async () => {
    const res = await fetch(`${running.url}/v1/decisions`, {
      method: 'POST',
      headers: { authorization: 'Bearer e2e-test-key-0123456789abcdef', 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify(order('http-6')),
    });
    expect(res.status).toBe(200);
  });
});

describe('POST /v1/decisions with a model behind OPENAI_BASE_URL', () => {
  let running: Running;
  let model: FixtureServer;
  beforeAll(async () => {
    // A slow model: the reasoner consuming the same event from the bus comes by while the HTTP request is still deciding.
    model = await FixtureServer.start([{ name: 'slow fulfillment', match: { schema: 'order_fulfillment' }, repeat: true, responses: [answer('fulfill.backorder', { promisedDays: 9 }, 7000, 'slow', { delayMs: 1_000 })] }]);
    running = await startAllInOne(freshDataDir(), { openaiBaseUrl: model.baseURL, openaiApiKey: 'sk-http-test-key' });
  }, 60_000);
  afterAll(async () => {
    await running.close();
    await model.close();
  });

  it('asks the model once for an event it is deciding, though the bus hands the same event to the reasoner meanwhile', async () => {
    const { status, body } = await decideOverHttp(running, order('http-model-1', 'cus_http_model'));
    expect(status).toBe(200);
    expect(body.decisions[0].reasoner).toEqual(expect.objectContaining({ kind: 'openai' }));
    await running.settle();
    // The only event this instance has seen: every request to the model is about it.
    expect(model.requests).toHaveLength(1);
    model.verify();
  });
});
