import type { DomainEvent } from '@arbiter/contracts';
import type { Json } from '@arbiter/ledger';
import type { Proposal } from '@arbiter/policy';
import { integerBound, optionOf } from '../allowed';
import type { DecisionPoint, ReasoningInput, ReasonerResult } from '../decision-point';
import { fulfillmentPrompt, fulfillmentPromptData } from './prompt';

type OrderPlaced = Extract<DomainEvent, { type: 'order.placed' }>;

interface WarehouseRef {
  country: string;
  transitDays: Record<string, number>;
}

interface Candidate {
  warehouseId: string;
  transitDays: number;
  stocked: boolean;
  /** The smallest number of units left of any item after picking this order. */
  headroom: number;
}

/** Customers whose value earns the fastest route, even at the cost of thinner stock. */
const VALUED_LIFETIME_CENTS = 50_000;
const VALUED_ORDERS = 5;

/** The warehouses the policy lets this order ship from (none when shipping is not allowed here). */
function allowedWarehouses(input: ReasoningInput<OrderPlaced>): string[] {
  const bound = optionOf(input, 'fulfill.ship-from')?.params.warehouseId;
  return bound?.kind === 'enum' ? bound.values.map(String) : [];
}

function candidates(input: ReasoningInput<OrderPlaced>): Candidate[] {
  const reference = (input.policy.document.reference.warehouses ?? {}) as Record<string, WarehouseRef>;
  const inventory = (input.facts.inventory ?? {}) as Record<string, Record<string, number>>;
  const { items, shipTo } = input.event.data;
  const out: Candidate[] = [];
  for (const warehouseId of allowedWarehouses(input)) {
    const transit = reference[warehouseId]?.transitDays?.[shipTo.country];
    if (transit === undefined) continue;
    const left = items.map((i) => (inventory[warehouseId]?.[i.sku] ?? 0) - i.qty);
    out.push({ warehouseId, transitDays: transit, stocked: left.every((n) => n >= 0), headroom: Math.min(...left) });
  }
  return out;
}

/**
 * The offline fulfillment reasoner: ship from a stocked warehouse that meets the promise;
 * valued customers get the fastest route, others the one with most stock to spare; customers
 * whose deliveries have run late get a day of padding on the promise.
 */
export function fulfillmentHeuristic(input: ReasoningInput<OrderPlaced>): ReasonerResult {
  const reasoner = { kind: 'heuristic' as const, name: 'order-fulfillment/1' };
  const { memory } = input;
  const requested = input.event.data.promisedDays ?? null;
  const valued = memory.stats.lifetimeValueCents >= VALUED_LIFETIME_CENTS || memory.stats.orders >= VALUED_ORDERS;
  const padding = memory.stats.deliveriesLate > 0 && memory.stats.deliveriesLate * 3 >= memory.stats.deliveriesOnTime ? 1 : 0;
  const stocked = candidates(input).filter((c) => c.stocked);
  if (stocked.length === 0) {
    const days = integerBound(optionOf(input, 'fulfill.backorder'), 'promisedDays');
    const promisedDays = Math.min(days?.max ?? 14, Math.max(days?.min ?? 14, 14));
    const proposal: Proposal = { type: 'fulfill.backorder', params: { promisedDays }, confidenceBps: 6000, rationale: 'no allowed warehouse has every item in stock for this destination' };
    return { proposal, reasoner };
  }
  const meets = (c: Candidate) => (requested === null || c.transitDays + padding <= requested ? 1 : 0);
  stocked.sort(
    (a, b) =>
      meets(b) - meets(a) ||
      (valued ? a.transitDays - b.transitDays || b.headroom - a.headroom : b.headroom - a.headroom || a.transitDays - b.transitDays) ||
      a.warehouseId.localeCompare(b.warehouseId),
  );
  const best = stocked[0];
  const promisedDays = best.transitDays + padding;
  const reasons = [
    `${best.warehouseId} has every item (${best.headroom} units to spare) and reaches ${input.event.data.shipTo.country} in ${best.transitDays} day(s)`,
    valued ? 'valued customer: fastest route first' : 'stock headroom first',
    ...(padding ? ['earlier deliveries ran late: promise padded by a day'] : []),
    ...(requested !== null && !meets(best) ? [`the requested ${requested} day(s) cannot be met`] : []),
  ];
  return {
    proposal: { type: 'fulfill.ship-from', params: { warehouseId: best.warehouseId, promisedDays }, confidenceBps: meets(best) ? 9000 : 7000, rationale: reasons.join('; ') },
    reasoner,
  };
}

export const orderFulfillment: DecisionPoint<'order.placed'> = {
  id: 'order.fulfillment',
  triggers: ['order.placed'],
  subjectOf: (e) => e.data.customerId,
  subjectRefOf: (e) => e.data.orderId,
  // Profile and counters are all it weighs.
  memory: [],
  gatherFacts: async (e, reader) => ({ inventory: (await reader.inventory(e.data.items.map((i) => i.sku))) as { [key: string]: Json } }),
  heuristic: fulfillmentHeuristic,
  prompt: fulfillmentPrompt,
  promptData: fulfillmentPromptData,
};
