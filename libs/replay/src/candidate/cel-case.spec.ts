import { join } from 'node:path';
import type { DomainEvent } from '@arbiter/contracts';
import type { Json } from '@arbiter/ledger';
import { CustomerMemory, emptyCustomerMemory } from '@arbiter/memory';
import { LoadedPolicy, PolicyBook, Proposal, allowedActions, caseBindings, judge } from '@arbiter/policy';
import { decisionPoints } from '@arbiter/reasoning';
import { Simulator, WAREHOUSES } from '@arbiter/simulator';
import { celCaseBindings } from './cel-case';

const policies = PolicyBook.load(join(__dirname, '..', '..', '..', '..', 'policies'));

/** Facts of the shape each decision point gathers: stock where the order can ship from, the disputed order, nothing else. */
function factsFor(event: DomainEvent, n: number): { [key: string]: Json } {
  if (event.type === 'order.placed') {
    const stocked = WAREHOUSES[n % WAREHOUSES.length];
    return { inventory: { [stocked]: Object.fromEntries(event.data.items.map((i) => [i.sku, i.qty + (n % 3)])) } };
  }
  if (event.type === 'dispute.opened') return { order: n % 2 ? { known: true, status: 'placed', totalCents: event.data.amountCents + 100, placedAt: '2026-05-01T00:00:00.000Z' } : { known: false }, sellerDisputes90d: n % 5 };
  if (event.type === 'usage.reported') return { trend: { metric: event.data.metric, reports: n % 6 }, daysSinceLastIntervention: n % 10 };
  return {};
}

function memoryFor(event: DomainEvent, n: number): CustomerMemory {
  const m = emptyCustomerMemory(event.subject, event.time ?? null);
  return { ...m, known: n % 2 === 0, stats: { ...m.stats, orders: n % 12, lifetimeValueCents: 25_000 * (n % 11) }, payments: { ...m.payments, hardDeclines90d: n % 3 }, disputes: { ...m.disputes, opened365d: n % 4 } };
}

/** The heuristic's proposal and some it would not make: out of bounds, unknown, low confidence. */
function proposalsFor(policy: LoadedPolicy, event: DomainEvent, memory: CustomerMemory, facts: { [key: string]: Json }): (Proposal | null)[] {
  const point = decisionPoints.find((p) => p.id === policy.document.decisionPoint)!;
  const allowed = allowedActions(policy, caseBindings(policy.document, { event, memory, facts }));
  const heuristic = point.heuristic({ event, memory, facts, policy, allowed } as never).proposal;
  const scaled = heuristic && { ...heuristic, params: Object.fromEntries(Object.entries(heuristic.params).map(([k, v]) => [k, typeof v === 'number' ? v * 3 + 7 : v])) };
  return [heuristic, scaled, heuristic && { ...heuristic, confidenceBps: 1000 }, { type: 'not.an.action', params: {} }, null];
}

describe('cases built from CEL maps and lists', () => {
  it('are judged exactly as the policy library judges its own bindings, allowed set, checks, outcome and action alike', () => {
    const events = [...new Simulator({ seed: 11 }).take(3_000)].filter((e) => policies.all().some((p) => p.document.trigger.types.includes(e.type)));
    expect(new Set(events.map((e) => e.type)).size).toBe(4);
    let judged = 0;
    events.forEach((event, n) => {
      const policy = policies.all().find((p) => p.document.trigger.types.includes(event.type))!;
      const c = { event, memory: memoryFor(event, n), facts: factsFor(event, n) };
      const plain = caseBindings(policy.document, c);
      const cel = celCaseBindings(policy, c);
      const allowed = allowedActions(policy, plain);
      expect(allowedActions(policy, cel)).toEqual(allowed);
      for (const proposal of proposalsFor(policy, event, c.memory, c.facts)) {
        expect(judge(policy, proposal, cel, allowed)).toEqual(judge(policy, proposal, plain, allowed));
        judged++;
      }
    });
    expect(judged).toBeGreaterThan(2_000);
  });
});
