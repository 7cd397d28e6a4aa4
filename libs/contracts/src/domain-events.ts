import { z } from 'zod';

const id = z.string().min(1).max(128);
const cents = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code');
const country = z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code');
const timestamp = z.iso.datetime({ offset: true });

export const customerRegistered = z.object({
  customerId: id,
  name: z.string().min(1).max(200),
  country,
  segment: z.enum(['consumer', 'business']),
  registeredAt: timestamp,
});

export const orderPlaced = z.object({
  orderId: id,
  customerId: id,
  items: z.array(z.object({ sku: id, qty: z.number().int().min(1).max(10_000) })).min(1).max(500),
  totalCents: cents,
  currency,
  shipTo: z.object({ country, postalCode: z.string().min(1).max(16) }),
  promisedDays: z.number().int().min(1).max(60).optional(),
});

export const orderDelivered = z.object({
  orderId: id,
  customerId: id,
  warehouseId: id,
  deliveredDays: z.number().int().min(0).max(365),
  onTime: z.boolean(),
});

export const paymentFailed = z.object({
  paymentId: id,
  orderId: id.optional(),
  customerId: id,
  amountCents: cents,
  currency,
  reason: z.string().min(1).max(200),
  attempt: z.number().int().min(1).max(100),
});

export const paymentSucceeded = z.object({
  paymentId: id,
  orderId: id.optional(),
  customerId: id,
  amountCents: cents,
  currency,
});

export const inventoryLevelChanged = z.object({
  warehouseId: id,
  sku: id,
  onHand: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});

export const usageReported = z
  .object({
    accountId: id,
    metric: z.string().min(1).max(100),
    value: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    periodStart: timestamp,
    periodEnd: timestamp,
  })
  .refine((u) => Date.parse(u.periodEnd) > Date.parse(u.periodStart), {
    message: 'periodEnd must be after periodStart',
    path: ['periodEnd'],
  });

export const disputeOpened = z.object({
  disputeId: id,
  orderId: id,
  buyerId: id,
  sellerId: id,
  amountCents: cents,
  currency,
  reason: z.string().min(1).max(200),
  messages: z.array(z.object({ from: z.enum(['buyer', 'seller', 'platform']), text: z.string().max(4000) })).max(100),
});

/**
 * Every domain event Arbiter understands: its topic, the schema of its `data`, and which
 * field of `data` must equal the CloudEvent `subject` (the Kafka key, so one subject's
 * events stay in order).
 */
export const domainEventTypes = {
  'customer.registered': { topic: 'commerce.customers', data: customerRegistered, subjectField: 'customerId' },
  'order.placed': { topic: 'commerce.orders', data: orderPlaced, subjectField: 'customerId' },
  'order.delivered': { topic: 'commerce.orders', data: orderDelivered, subjectField: 'customerId' },
  'payment.failed': { topic: 'commerce.payments', data: paymentFailed, subjectField: 'customerId' },
  'payment.succeeded': { topic: 'commerce.payments', data: paymentSucceeded, subjectField: 'customerId' },
  'inventory.level.changed': { topic: 'commerce.inventory', data: inventoryLevelChanged, subjectField: 'warehouseId' },
  'usage.reported': { topic: 'saas.usage', data: usageReported, subjectField: 'accountId' },
  'dispute.opened': { topic: 'marketplace.disputes', data: disputeOpened, subjectField: 'buyerId' },
} as const;

export type DomainEventType = keyof typeof domainEventTypes;
export type DomainEventData = { [K in DomainEventType]: z.infer<(typeof domainEventTypes)[K]['data']> };

export const domainTopics = [...new Set(Object.values(domainEventTypes).map((t) => t.topic))].sort();

export function isDomainEventType(type: string): type is DomainEventType {
  return Object.prototype.hasOwnProperty.call(domainEventTypes, type);
}
