import { z } from 'zod';

/** A CEL expression over `event`, `memory`, `facts`, `reference` and (for guards and rules) `proposal`. */
const celExpression = z.string().min(1).max(4000);
const checkId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'an id of lower-case letters, digits and "-"');

const integerParam = z
  .object({
    integer: z.object({ min: z.number().int(), max: z.number().int() }).refine((r) => r.min <= r.max, 'min must not exceed max'),
    /** Out-of-range values are moved to the nearest bound instead of refused. */
    clamp: z.boolean().default(false),
    /** A bound that depends on the case, e.g. `event.data.amountCents`: the tighter of it and the static bound applies. */
    minFrom: celExpression.optional(),
    maxFrom: celExpression.optional(),
  })
  .strict();
const enumParam = z.object({ enum: z.array(z.union([z.string(), z.number().int()])).min(1) }).strict();
const stringParam = z.object({ string: z.object({ maxLength: z.number().int().min(1) }).strict() }).strict();

export const paramSpec = z.union([integerParam, enumParam, stringParam]);
export type ParamSpec = z.infer<typeof paramSpec>;
export type IntegerParamSpec = z.infer<typeof integerParam>;

export const allowedAction = z
  .object({
    type: z.string().regex(/^[a-z][a-z0-9.-]*$/),
    description: z.string().optional(),
    /** When present, the action is allowed only where this holds (evaluated before prompting). */
    when: celExpression.optional(),
    params: z.record(z.string(), paramSpec),
  })
  .strict();
export type AllowedAction = z.infer<typeof allowedAction>;

/** A rule every proposal must satisfy; the proposal it sees has its parameters already clamped. */
export const guard = z
  .object({
    id: checkId,
    description: z.string().optional(),
    /** Action types it applies to; all when omitted. */
    appliesTo: z.array(z.string()).min(1).optional(),
    expr: celExpression,
    /** A proposal that fails it is replaced by the fallback, or the fallback is held for a human. */
    onFail: z.enum(['fallback', 'escalate']).default('fallback'),
  })
  .strict();
export type Guard = z.infer<typeof guard>;

/** A case a human must look at before anything happens (low confidence, high stakes, unusual customer). */
export const escalationRule = z
  .object({
    id: checkId,
    description: z.string().optional(),
    /** Sees `proposal`, the `action` that would run, and the `outcome` it would have. */
    when: celExpression,
  })
  .strict();
export type EscalationRule = z.infer<typeof escalationRule>;

export const escalation = z
  .object({
    rules: z.array(escalationRule).default([]),
    review: z
      .object({
        timeoutSeconds: z.number().int().min(1).max(30 * 86_400),
        /** What an unanswered review turns into: the fallback action, the pending action, or nothing. */
        onTimeout: z.enum(['fallback', 'approve', 'reject']).default('fallback'),
      })
      .strict(),
  })
  .strict();
export type Escalation = z.infer<typeof escalation>;

/** The model a policy may use, and what it may cost. Money in integer micro-units (1e-6) of the provider's currency. */
export const modelSettings = z
  .object({
    name: z.string().min(1).max(200),
    timeoutMs: z.number().int().min(100).max(120_000),
    maxRetries: z.number().int().min(0).max(5).default(2),
    maxOutputTokens: z.number().int().min(16).max(16_384),
    /** Calls in flight at once to this model, across every policy that names it. */
    concurrency: z.number().int().min(1).max(256).default(4),
    pricing: z.object({ inputMicrosPerMTok: z.number().int().min(0), outputMicrosPerMTok: z.number().int().min(0) }).strict(),
    budget: z.object({ maxCostMicrosPerHour: z.number().int().min(0) }).strict(),
  })
  .strict();
export type ModelSettings = z.infer<typeof modelSettings>;

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
    trigger: z.object({ types: z.array(z.string().min(1)).min(1) }).strict(),
    actions: z.array(allowedAction).min(1),
    guards: z.array(guard).default([]),
    escalation: escalation.optional(),
    fallback: z.object({ type: z.string(), params: z.record(z.string(), z.unknown()) }).strict(),
    /** Without it the offline heuristic decides even when a model endpoint is configured. */
    model: modelSettings.optional(),
    /** Operator-supplied facts the reasoners rely on (e.g. the warehouse network). */
    reference: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export type PolicyDocument = z.infer<typeof policyDocument>;
