import type { DomainEvent } from '@arbiter/contracts';
import type { Json } from '@arbiter/ledger';
import type { ReasoningInput } from '../decision-point';
import type { PromptTemplate } from '../model/prompt';

type OrderPlaced = Extract<DomainEvent, { type: 'order.placed' }>;

export const fulfillmentPrompt: PromptTemplate = {
  id: 'order-fulfillment',
  version: 1,
  system: [
    'You plan fulfillment for a European online shop: which warehouse ships an order, and what delivery promise the customer is given.',
    'Trade speed against capacity: a warehouse that would be left with little stock should be spared unless the customer is valuable or only it can keep the promise.',
    'Promise no fewer days than the transit time from the chosen warehouse; pad the promise when the customer\'s earlier deliveries ran late.',
    'When no allowed warehouse has every item, propose a backorder.',
  ].join('\n'),
  task: 'Choose how to fulfil the order in the data.',
};

/** The order, the customer's history that matters to fulfilment, stock levels and the warehouse network. */
export function fulfillmentPromptData(input: ReasoningInput<OrderPlaced>): { [key: string]: Json } {
  const { data } = input.event;
  const m = input.memory;
  return {
    order: { items: data.items, totalCents: data.totalCents, currency: data.currency, destinationCountry: data.shipTo.country, requestedPromiseDays: data.promisedDays ?? null },
    customer: {
      known: m.known,
      accountAgeDays: m.accountAgeDays,
      orders: m.stats.orders,
      lifetimeValueCents: m.stats.lifetimeValueCents,
      deliveriesOnTime: m.stats.deliveriesOnTime,
      deliveriesLate: m.stats.deliveriesLate,
    },
    stockByWarehouse: input.facts.inventory ?? {},
    warehouses: (input.policy.document.reference.warehouses ?? {}) as Json,
  };
}
