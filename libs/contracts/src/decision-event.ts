import { z } from 'zod';

export const DECISIONS_TOPIC = 'arbiter.decisions';
export const DECISION_EVENT_TYPE = 'arbiter.decision.made';

export const decisionOutcome = z.enum(['approved', 'clamped', 'fallback', 'escalated', 'rejected']);
export type DecisionOutcome = z.infer<typeof decisionOutcome>;

export const actionSchema = z.object({ type: z.string().min(1), params: z.record(z.string(), z.unknown()) });
export type Action = z.infer<typeof actionSchema>;

/** Where the trigger was read from; null fields when it arrived over HTTP rather than a topic. */
export const triggerRef = z.object({
  eventId: z.string(),
  type: z.string(),
  topic: z.string().nullable(),
  partition: z.number().int().nullable(),
  offset: z.string().nullable(),
});
export type TriggerRef = z.infer<typeof triggerRef>;

/** `data` of the `arbiter.decision.made` CloudEvent on `arbiter.decisions`. */
export const decisionMadeData = z.object({
  decisionId: z.uuid(),
  decisionPoint: z.string(),
  trigger: triggerRef,
  action: actionSchema.nullable(),
  outcome: decisionOutcome,
  ledger: z.object({ chain: z.string(), seq: z.number().int().min(0), hash: z.string().regex(/^[0-9a-f]{64}$/) }),
  /** Present when a human (or the review timeout) settled an escalated decision; `ledger` is then the review entry. */
  review: z
    .object({
      verdict: z.enum(['approve', 'override', 'reject']),
      reviewer: z.string(),
      timedOut: z.boolean(),
      decision: z.object({ chain: z.string(), seq: z.number().int().min(0), hash: z.string().regex(/^[0-9a-f]{64}$/) }),
    })
    .optional(),
});
export type DecisionMadeData = z.infer<typeof decisionMadeData>;
