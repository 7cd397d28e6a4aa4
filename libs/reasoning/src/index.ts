export * from './decision-point';
export * from './reasoner';
export * from './decision-engine';
export * from './reasoner-group';
export * from './decision-relay';
export * from './allowed';
export * from './model/prompt';
export * from './model/model-output';
export * from './review/decision-body';
export * from './review/review-desk';
export * from './review/review-queue';
export * from './fulfillment/order-fulfillment';
export * from './payments/payment-retry';
export * from './saas/account-engagement';
export * from './disputes/dispute-resolution';

import { disputeResolution } from './disputes/dispute-resolution';
import { orderFulfillment } from './fulfillment/order-fulfillment';
import { paymentRetry } from './payments/payment-retry';
import { accountEngagement } from './saas/account-engagement';
import type { DecisionPoint } from './decision-point';

/** Every decision point Arbiter knows; those without a policy stay idle. */
export const decisionPoints: DecisionPoint[] = [orderFulfillment, paymentRetry, accountEngagement, disputeResolution] as unknown as DecisionPoint[];
