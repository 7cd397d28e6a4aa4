export * from './decision-point';
export * from './decision-engine';
export * from './reasoner-consumer';
export * from './decision-relay';
export * from './fulfillment/order-fulfillment';

import { orderFulfillment } from './fulfillment/order-fulfillment';
import type { DecisionPoint } from './decision-point';

/** Every decision point Arbiter knows; those without a policy stay idle. */
export const decisionPoints: DecisionPoint[] = [orderFulfillment as unknown as DecisionPoint];
