import { ContractViolation, MAX_EVENT_BYTES, decodeDomainEvent, parseDomainEvent } from './parse';
import { exportJsonSchemas } from './json-schema';
import { domainEventTypes } from './domain-events';

const orderPlaced = () => ({
  specversion: '1.0',
  id: 'evt-1',
  source: '/shop/orders',
  type: 'order.placed',
  subject: 'cus_42',
  time: '2026-05-01T10:00:00Z',
  datacontenttype: 'application/json',
  data: { orderId: 'ord-1', customerId: 'cus_42', items: [{ sku: 'sku-1', qty: 2 }], totalCents: 2599, currency: 'EUR', shipTo: { country: 'NL', postalCode: '1011' } },
});

function reasonFor(value: unknown): string {
  try {
    parseDomainEvent(value);
  } catch (e) {
    expect(e).toBeInstanceOf(ContractViolation);
    return (e as ContractViolation).reason;
  }
  throw new Error('expected the event to be refused');
}

describe('domain event contracts', () => {
  it('accepts a valid order.placed CloudEvent and types its data', () => {
    const event = parseDomainEvent(orderPlaced());
    expect(event.type).toBe('order.placed');
    if (event.type === 'order.placed') expect(event.data.items[0].qty).toBe(2);
  });

  it('keeps extension attributes, which CloudEvents allows', () => {
    expect(parseDomainEvent({ ...orderPlaced(), traceparent: '00-abc-def-01' }).traceparent).toBe('00-abc-def-01');
  });

  it('refuses bytes that are not JSON, with the parser\'s reason', () => {
    expect(() => decodeDomainEvent('{"specversion":')).toThrow(/^not JSON/);
  });

  it('refuses oversized events before parsing them', () => {
    expect(() => decodeDomainEvent('x'.repeat(MAX_EVENT_BYTES + 1))).toThrow(/limit/);
  });

  it.each([
    ['a missing specversion', { ...orderPlaced(), specversion: undefined }, /not a CloudEvent 1.0: specversion/],
    ['an unknown type', { ...orderPlaced(), type: 'order.teleported' }, /unknown event type "order.teleported"/],
    ['a bad attribute name', { ...orderPlaced(), 'Bad-Name': 1 }, /not a valid CloudEvents attribute name/],
    ['a fractional amount', { ...orderPlaced(), data: { ...orderPlaced().data, totalCents: 25.99 } }, /totalCents/],
    ['an empty order', { ...orderPlaced(), data: { ...orderPlaced().data, items: [] } }, /items/],
    ['a subject that is not the customer', { ...orderPlaced(), subject: 'cus_other' }, /does not match data.customerId/],
    ['no subject', { ...orderPlaced(), subject: undefined }, /subject is required/],
    ['a lower-case currency', { ...orderPlaced(), data: { ...orderPlaced().data, currency: 'eur' } }, /currency/],
  ])('refuses %s with a reason', (_why, value, reason) => {
    expect(reasonFor(value)).toMatch(reason);
  });

  it('accepts every other domain type the design names', () => {
    const events = [
      { type: 'payment.failed', subject: 'c', data: { paymentId: 'p', customerId: 'c', amountCents: 100, currency: 'EUR', reason: 'card_expired', attempt: 1 } },
      { type: 'usage.reported', subject: 'a', data: { accountId: 'a', metric: 'api_calls', value: 10, periodStart: '2026-01-01T00:00:00Z', periodEnd: '2026-01-02T00:00:00Z' } },
      { type: 'dispute.opened', subject: 'b', data: { disputeId: 'd', orderId: 'o', buyerId: 'b', sellerId: 's', amountCents: 5, currency: 'EUR', reason: 'item_damaged', messages: [{ from: 'buyer', text: 'broken' }] } },
    ];
    for (const e of events) expect(parseDomainEvent({ specversion: '1.0', id: 'x', source: '/t', ...e }).type).toBe(e.type);
  });

  it('exports a JSON Schema for every event type and the decision event', () => {
    const schemas = exportJsonSchemas();
    for (const type of [...Object.keys(domainEventTypes), 'arbiter.decision.made', 'cloudevent']) expect(schemas[type]).toHaveProperty('$schema');
    const placed = schemas['order.placed'] as { required: string[] };
    expect(placed.required).toEqual(expect.arrayContaining(['orderId', 'customerId', 'items', 'totalCents', 'currency', 'shipTo']));
  });
});
