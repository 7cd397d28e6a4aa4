import { z } from 'zod';
import type { Json } from '@arbiter/ledger';
import type { AllowedSet, ParamBound, Proposal } from '@arbiter/policy';

/** Rationales longer than this are treated as malformed output (a model rambling, or stuffing the ledger). */
const RATIONALE_MAX = 4000;

/**
 * The JSON Schema the model answers in: one variant per allowed action, its type an enum of one
 * and its parameters with the case's concrete bounds. Strict, so compliant endpoints enforce it;
 * the policy checks the answer again either way.
 */
export function outputJsonSchema(allowed: AllowedSet): { [key: string]: Json } {
  const variants = allowed.actions.map((a) => ({
    type: 'object',
    properties: {
      type: { type: 'string', enum: [a.type] },
      params: {
        type: 'object',
        properties: Object.fromEntries(Object.entries(a.params).map(([name, bound]) => [name, paramSchema(bound)])),
        required: Object.keys(a.params),
        additionalProperties: false,
      },
    },
    required: ['type', 'params'],
    additionalProperties: false,
  }));
  return {
    type: 'object',
    properties: {
      action: { anyOf: variants },
      confidenceBps: { type: 'integer', minimum: 0, maximum: 10_000 },
      rationale: { type: 'string' },
    },
    required: ['action', 'confidenceBps', 'rationale'],
    additionalProperties: false,
  };
}

/** Only keywords structured-output endpoints accept in strict mode (no maxLength: a pattern says it). */
function paramSchema(bound: ParamBound): { [key: string]: Json } {
  if (bound.kind === 'integer') return { type: 'integer', minimum: bound.min, maximum: bound.max };
  if (bound.kind === 'enum') {
    const types = [...new Set(bound.values.map((v) => (typeof v === 'string' ? 'string' : 'integer')))];
    return { type: types.length === 1 ? types[0] : types, enum: bound.values };
  }
  return { type: 'string', pattern: `^[\\s\\S]{0,${bound.maxLength}}$` };
}

/**
 * The shape of an answer, and no more: types and bounds are the policy's to judge, so an
 * out-of-policy answer reaches the verdict (and is refused there, visibly) rather than being
 * mistaken for a transport problem. Only what cannot go into the ledger is refused here.
 */
export const modelOutput = z.object({
  action: z.object({
    type: z.string().min(1).max(200),
    params: z.record(z.string().max(100), z.union([z.number().int().refine(Number.isSafeInteger, 'a safe integer'), z.string().max(4000), z.boolean()])),
  }),
  confidenceBps: z.number().int().min(0).max(10_000),
  rationale: z.string().max(RATIONALE_MAX),
});

export class MalformedOutputError extends Error {
  readonly code = 'malformed-output';
}

/** Parses a model's raw text into a proposal; the same function a replay uses on the recorded output. */
export function proposalFromModelOutput(text: string): Proposal {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new MalformedOutputError(`not JSON: ${(e as Error).message}`);
  }
  const parsed = modelOutput.safeParse(json);
  if (!parsed.success) throw new MalformedOutputError(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  const { action, confidenceBps, rationale } = parsed.data;
  return { type: action.type, params: action.params, confidenceBps, rationale };
}
