import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteBus } from '@arbiter/bus-sqlite';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import type { DomainEvent } from '@arbiter/contracts';
import { PgliteReadModelStore } from '@arbiter/read-models-pglite';
import { MemoryReader } from './memory-reader';
import { memoryMigrations } from './migrations';
import { DomainProjector } from './projectors';

const ce = (id: string, type: string, subject: string, data: object, time: string) => ({ specversion: '1.0', id, source: '/test', type, subject, time, data }) as DomainEvent;
const day = (d: number) => new Date(Date.UTC(2026, 4, 1) + d * 86_400_000).toISOString();
const failed = (id: string, d: number, reason: string, attempt = 1) =>
  ce(id, 'payment.failed', 'c1', { paymentId: `p-${id}`, orderId: 'o1', customerId: 'c1', amountCents: 2500, currency: 'EUR', reason, attempt }, day(d));
const succeeded = (id: string, d: number) => ce(id, 'payment.succeeded', 'c1', { paymentId: `p-${id}`, orderId: 'o1', customerId: 'c1', amountCents: 2500, currency: 'EUR' }, day(d));
const usage = (id: string, d: number, value: number) =>
  ce(id, 'usage.reported', 'c1', { accountId: 'c1', metric: 'api_calls', value, periodStart: day(d - 1), periodEnd: day(d) }, day(d));
const dispute = (id: string, d: number, reason: string, sellerId = 's1') =>
  ce(id, 'dispute.opened', 'c1', { disputeId: `d-${id}`, orderId: `o-${id}`, buyerId: 'c1', sellerId, amountCents: 1000, currency: 'EUR', reason, messages: [] }, day(d));

describe('customer memory for payment, SaaS and dispute decisions', () => {
  let dir: string;
  let readModels: PgliteReadModelStore;
  let reader: MemoryReader;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'arbiter-memory-history-'));
    readModels = await PgliteReadModelStore.open(join(dir, 'rm'));
    await readModels.migrate(memoryMigrations);
    const bus = new SqliteBus(join(dir, 'bus.db'));
    const store = new SqliteEventStore(join(dir, 'events.db'));
    const events = [
      ce('r', 'customer.registered', 'c1', { customerId: 'c1', name: 'Ada', country: 'NL', segment: 'business', registeredAt: day(0) }, day(0)),
      succeeded('s1', 10), failed('f1', 20, 'insufficient_funds'), succeeded('s2', 21),
      failed('f2', 40, 'do_not_honor'), failed('f3', 41, 'processing_error', 2), failed('f4', 42, 'processing_error', 3),
      ...[1000, 1100, 900, 1050, 950, 1000, 980, 1020, 990, 300].map((v, i) => usage(`u${i}`, 30 + i, v)),
      dispute('x1', 5, 'item_damaged'), dispute('x2', 35, 'unauthorized_charge'), dispute('x3', 45, 'item_not_received', 's2'),
    ];
    await bus.publish('commerce.payments', events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })));
    const projector = new DomainProjector(bus, store, { readModels }, 'history.projector');
    await projector.start();
    while ((await projector.lag()) > 0n || !(await projector.caughtUp())) await new Promise((r) => setTimeout(r, 20));
    await projector.stop();
    await bus.close();
    await store.close();
    reader = new MemoryReader(readModels);
  });
  afterAll(async () => {
    await readModels.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts failures since the last success, hard declines, and lists recent failures newest first', async () => {
    const m = await reader.customerMemory('c1', { asOf: day(43) });
    expect(m.payments).toMatchObject({ failed90d: 4, succeeded90d: 2, failureStreak: 3, hardDeclines90d: 1, lastSucceededDaysAgo: 22 });
    expect(m.payments.recentFailures.map((f) => [f.paymentId, f.daysAgo])).toEqual([['p-f4', 1], ['p-f3', 2], ['p-f2', 3], ['p-f1', 23]]);
    expect(m.accountAgeDays).toBe(43);
  });

  it('describes the customer as of the trigger, without the trigger itself', async () => {
    const m = await reader.customerMemory('c1', { asOf: day(42), excludeEventId: 'f4' });
    expect(m.payments.failureStreak).toBe(2);
    const earlier = await reader.customerMemory('c1', { asOf: day(30) });
    expect(earlier.payments).toMatchObject({ failureStreak: 0, failed90d: 1, succeeded90d: 2 });
  });

  it('keeps each metric\'s recent reports newest first, with their mean', async () => {
    const m = await reader.customerMemory('c1', { asOf: day(40), excludeEventId: 'u9' });
    expect(m.usageTrends).toEqual([{ metric: 'api_calls', reports: 9, recent: [990, 1020, 980, 1000, 950, 1050, 900, 1100], average: 998 }]);
  });

  it('remembers disputes of the past year, and how many claimed an unauthorized charge', async () => {
    const m = await reader.customerMemory('c1', { asOf: day(50) });
    expect(m.disputes.opened365d).toBe(3);
    expect(m.disputes.unauthorizedClaims365d).toBe(1);
    expect(m.disputes.recent[0]).toMatchObject({ disputeId: 'd-x3', sellerId: 's2', daysAgo: 5 });
    expect(await reader.sellerDisputes90d('s1', day(50))).toBe(2);
    expect(await reader.sellerDisputes90d('s1', day(50), 'd-x2')).toBe(1);
  });

  it('answers for a customer it never saw with an empty, well-formed memory', async () => {
    const m = await reader.customerMemory('nobody', { asOf: day(50) });
    expect(m).toMatchObject({ known: false, accountAgeDays: null, payments: { failureStreak: 0, recentFailures: [] }, usageTrends: [], disputes: { opened365d: 0 } });
  });
});
