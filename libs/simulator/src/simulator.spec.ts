import { parseDomainEvent } from '@arbiter/contracts';
import { Simulator } from './simulator';

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
});
