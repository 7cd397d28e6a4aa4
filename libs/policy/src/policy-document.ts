import { z } from 'zod';

const integerParam = z.object({
  integer: z.object({ min: z.number().int(), max: z.number().int() }).refine((r) => r.min <= r.max, 'min must not exceed max'),
  /** Out-of-range values are moved to the nearest bound instead of refused. */
  clamp: z.boolean().default(false),
});
const enumParam = z.object({ enum: z.array(z.union([z.string(), z.number().int()])).min(1) });
const stringParam = z.object({ string: z.object({ maxLength: z.number().int().min(1) }) });

export const paramSpec = z.union([integerParam, enumParam, stringParam]);
export type ParamSpec = z.infer<typeof paramSpec>;

export const allowedAction = z.object({
  type: z.string().regex(/^[a-z][a-z0-9.-]*$/),
  description: z.string().optional(),
  params: z.record(z.string(), paramSpec),
});
export type AllowedAction = z.infer<typeof allowedAction>;

/**
 * A policy: the operator's boundary around one decision point. Anything not allowed here is
 * denied; the fallback is what happens when the proposal cannot be used.
 */
export const policyDocument = z
  .object({
    policyId: z.string().regex(/^[a-z0-9][a-z0-9.-]{0,63}$/),
    version: z.number().int().min(1),
    decisionPoint: z.string().min(1),
    description: z.string().optional(),
    trigger: z.object({ types: z.array(z.string().min(1)).min(1) }),
    actions: z.array(allowedAction).min(1),
    fallback: z.object({ type: z.string(), params: z.record(z.string(), z.unknown()) }),
    /** Operator-supplied facts the reasoners rely on (e.g. the warehouse network). */
    reference: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export type PolicyDocument = z.infer<typeof policyDocument>;
