import { parseDomainEvent } from '@arbiter/contracts';
import { Simulator } from './simulator';
import { CustomerStory } from './story';

describe('the simulator', () => {
  it('produces only events that pass their contracts', () => {
    const events = [...new Simulator({ seed: 7 }).take(2000)];
    for (const e of events) expect(() => parseDomainEvent(e)).not.toThrow();
  });

  it('covers every domain in a realistic mix', () => {
    const types = new Map<string, number>();
    for (const e of new Simulator({ seed: 7 }).take(2000)) types.set(e.type, (types.get(e.type) ?? 0) + 1);
    for (const type of ['customer.registered', 'order.placed', 'order.delivered', 'payment.failed', 'payment.succeeded', 'inventory.level.changed', 'usage.reported', 'dispute.opened']) {
      expect(types.get(type)).toBeGreaterThan(0);
    }
    expect(types.get('order.placed')!).toBeGreaterThan(types.get('dispute.opened')!);
  });

  it('gives the same events for the same seed, and different ones for another', () => {
    const a = [...new Simulator({ seed: 1 }).take(300)];
    const b = [...new Simulator({ seed: 1 }).take(300)];
    const c = [...new Simulator({ seed: 2 }).take(300)];
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(new Set(c.map((e) => e.id)).size).toBe(300);
    expect(c.some((e) => a.some((x) => x.id === e.id))).toBe(false);
  });

  it('gives customers histories: repeat orders, failures and deliveries for the same people', () => {
    const events = [...new Simulator({ seed: 3 }).take(3000)];
    const ordersPerCustomer = new Map<string, number>();
    for (const e of events) if (e.type === 'order.placed') ordersPerCustomer.set(e.subject, (ordersPerCustomer.get(e.subject) ?? 0) + 1);
    expect(Math.max(...ordersPerCustomer.values())).toBeGreaterThanOrEqual(5);
    const failing = events.filter((e) => e.type === 'payment.failed').map((e) => e.subject);
    expect(new Set(failing).size).toBeLessThan(failing.length);
  });

  it('gives payment failures their realistic causes: fraud-like declines cluster on a few customers', () => {
    const events = [...new Simulator({ seed: 5 }).take(6000)];
    const hard = events.filter((e) => e.type === 'payment.failed' && ['do_not_honor', 'suspected_fraud'].includes((e.data as { reason: string }).reason));
    expect(hard.length).toBeGreaterThan(5);
    const perCustomer = new Map<string, number>();
    for (const e of hard) perCustomer.set(e.subject, (perCustomer.get(e.subject) ?? 0) + 1);
    expect(Math.max(...perCustomer.values())).toBeGreaterThanOrEqual(2);
    expect(events.some((e) => e.type === 'dispute.opened' && (e.data as { reason: string }).reason === 'unauthorized_charge')).toBe(true);
  });

  it('lets SaaS accounts grow, hold or decline: some metric ends far below where it started, another far above', () => {
    const series = new Map<string, number[]>();
    for (const e of new Simulator({ seed: 8 }).take(8000)) {
      if (e.type !== 'usage.reported') continue;
      const key = `${e.data.accountId}/${e.data.metric}`;
      series.set(key, [...(series.get(key) ?? []), e.data.value]);
    }
    const long = [...series.values()].filter((v) => v.length >= 8);
    const ratio = (v: number[]) => v[v.length - 1] / Math.max(1, v[0]);
    expect(long.some((v) => ratio(v) < 0.6)).toBe(true);
    expect(long.some((v) => ratio(v) > 1.6)).toBe(true);
  });

  it('makes some buyers serial disputers and some sellers often disputed, with the odd message that tries to steer the decision', () => {
    const disputes = [...new Simulator({ seed: 9 }).take(10000)].filter((e) => e.type === 'dispute.opened');
    const byBuyer = new Map<string, number>();
    const bySeller = new Map<string, number>();
    for (const e of disputes) {
      byBuyer.set(e.data.buyerId, (byBuyer.get(e.data.buyerId) ?? 0) + 1);
      bySeller.set(e.data.sellerId, (bySeller.get(e.data.sellerId) ?? 0) + 1);
    }
    expect(Math.max(...byBuyer.values())).toBeGreaterThanOrEqual(3);
    expect(Math.max(...bySeller.values())).toBeGreaterThanOrEqual(4);
    expect(disputes.some((e) => e.data.messages.some((m) => /ignore previous instructions|admin mode|authorize a refund/i.test(m.text)))).toBe(true);
    expect(disputes.some((e) => e.data.amountCents < 0.9 * Math.max(...disputes.map((d) => d.data.amountCents)))).toBe(true);
  });
});

describe('customer stories', () => {
  it('tells a history that passes every contract, oldest first, ending before its trigger', () => {
    const story = new CustomerStory({ customerId: 'cus_story', now: '2026-06-01T12:00:00.000Z' })
      .registered(400)
      .orders(12, { overDays: 380, lateShare: 0.2 })
      .failedPayments(2, { daysAgo: 30, reason: 'insufficient_funds' })
      .usage('api_calls', [1000, 900, 800])
      .disputes(2, { overDays: 200 });
    const events = story.events();
    for (const e of events) expect(() => parseDomainEvent(e)).not.toThrow();
    expect(events.map((e) => Date.parse(e.time!))).toEqual([...events.map((e) => Date.parse(e.time!))].sort((a, b) => a - b));
    expect(events.filter((e) => e.type === 'order.placed')).toHaveLength(12 + 1 + 2);
    const trigger = story.trigger('payment.failed', { paymentId: 'p', customerId: 'cus_story', amountCents: 100, currency: 'EUR', reason: 'card_expired', attempt: 1 });
    expect(() => parseDomainEvent(trigger)).not.toThrow();
    expect(Date.parse(trigger.time!)).toBeGreaterThan(Date.parse(events[events.length - 1].time!));
  });
});
