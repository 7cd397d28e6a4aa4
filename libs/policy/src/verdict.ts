import type { Action, DecisionOutcome } from '@arbiter/contracts';
import type { AllowedAction, ParamSpec, PolicyDocument } from './policy-document';

/** What a reasoner proposes: an action and, optionally, its confidence in basis points. */
export interface Proposal {
  type: string;
  params: Record<string, unknown>;
  confidenceBps?: number;
  rationale?: string;
}

export interface Check {
  check: string;
  result: 'pass' | 'fail' | 'clamped';
  detail: string;
}

export interface Verdict {
  outcome: DecisionOutcome;
  checks: Check[];
  /** The action that may be executed: the (possibly clamped) proposal, or the fallback. */
  action: Action | null;
}

interface ParamResult {
  value: unknown;
  check: Check;
}

function checkParam(name: string, spec: ParamSpec, value: unknown): ParamResult {
  const id = `param:${name}`;
  if (value === undefined) return { value, check: { check: id, result: 'fail', detail: 'missing' } };
  if ('enum' in spec) {
    const ok = spec.enum.includes(value as string | number);
    return { value, check: { check: id, result: ok ? 'pass' : 'fail', detail: ok ? `${String(value)} is allowed` : `${JSON.stringify(value)} is not one of ${spec.enum.join(', ')}` } };
  }
  if ('integer' in spec) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) return { value, check: { check: id, result: 'fail', detail: `${JSON.stringify(value)} is not an integer` } };
    const { min, max } = spec.integer;
    if (value >= min && value <= max) return { value, check: { check: id, result: 'pass', detail: `${value} within ${min}..${max}` } };
    if (!spec.clamp) return { value, check: { check: id, result: 'fail', detail: `${value} outside ${min}..${max}` } };
    const clamped = Math.min(max, Math.max(min, value));
    return { value: clamped, check: { check: id, result: 'clamped', detail: `${value} clamped to ${clamped} (${min}..${max})` } };
  }
  const ok = typeof value === 'string' && value.length <= spec.string.maxLength;
  return { value, check: { check: id, result: ok ? 'pass' : 'fail', detail: ok ? 'text within limits' : `not a string of at most ${spec.string.maxLength} characters` } };
}

/** Checks a proposal's action and parameters against what the policy allows (default deny). */
function checkAction(allowed: AllowedAction | undefined, proposal: Proposal): { checks: Check[]; action: Action | null } {
  if (!allowed) return { checks: [{ check: 'action-allowed', result: 'fail', detail: `"${proposal.type}" is not an allowed action` }], action: null };
  const checks: Check[] = [{ check: 'action-allowed', result: 'pass', detail: `"${proposal.type}" is allowed` }];
  const params: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(allowed.params)) {
    const r = checkParam(name, spec, proposal.params[name]);
    checks.push(r.check);
    params[name] = r.value;
  }
  for (const name of Object.keys(proposal.params)) {
    if (!(name in allowed.params)) checks.push({ check: `param:${name}`, result: 'fail', detail: 'not a parameter the policy allows' });
  }
  return { checks, action: checks.some((c) => c.result === 'fail') ? null : { type: allowed.type, params } };
}

/**
 * The policy's verdict on a proposal. Schema validity is not authority: this runs after every
 * reasoner, and only what it returns as `action` may be executed.
 */
export function judge(policy: PolicyDocument, proposal: Proposal | null): Verdict {
  if (!proposal) {
    return { outcome: 'fallback', checks: [{ check: 'proposal', result: 'fail', detail: 'the reasoner made no proposal' }], action: policy.fallback };
  }
  const { checks, action } = checkAction(policy.actions.find((a) => a.type === proposal.type), proposal);
  if (!action) return { outcome: 'fallback', checks, action: policy.fallback };
  return { outcome: checks.some((c) => c.result === 'clamped') ? 'clamped' : 'approved', checks, action };
}

/** Problems that make a policy unusable; the fallback must itself pass the policy. */
export function lintPolicy(policy: PolicyDocument): string[] {
  const problems: string[] = [];
  const types = policy.actions.map((a) => a.type);
  if (new Set(types).size !== types.length) problems.push('action types must be unique');
  const fallback = checkAction(policy.actions.find((a) => a.type === policy.fallback.type), policy.fallback);
  for (const c of fallback.checks) if (c.result !== 'pass') problems.push(`fallback ${c.check}: ${c.detail}`);
  return problems;
}
