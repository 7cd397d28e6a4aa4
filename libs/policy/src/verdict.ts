import type { Action, DecisionOutcome } from '@arbiter/contracts';
import { ActionOption, AllowedSet, ParamBound, allowedActions } from './allowed-actions';
import { CelBindings, evaluateBoolean, toCel } from './cel';
import type { CompiledPolicy } from './compiled-policy';
import type { ParamSpec, PolicyDocument } from './policy-document';

/** What a reasoner proposes: an action and, optionally, its confidence in basis points. */
export interface Proposal {
  type: string;
  params: Record<string, unknown>;
  confidenceBps?: number;
  rationale?: string;
}

export type CheckResult = 'pass' | 'fail' | 'clamped' | 'skipped' | 'escalate';

export interface Check {
  check: string;
  result: CheckResult;
  detail: string;
}

/** The outcome an action would have had without a human: what a review's "approve" confirms. */
export type PendingOutcome = 'approved' | 'clamped' | 'fallback';

export interface Verdict {
  outcome: DecisionOutcome;
  checks: Check[];
  /** The action that may be executed: the (possibly clamped) proposal, or the fallback; null while a human decides. */
  action: Action | null;
  /** Present when escalated: the rules that fired, and the action a reviewer's approval would execute. */
  escalation?: { rules: string[]; pendingAction: Action; pendingOutcome: PendingOutcome };
}

/** A policy ready to judge: its document and its compiled expressions. */
export interface JudgingPolicy {
  document: PolicyDocument;
  compiled: CompiledPolicy;
}

interface ParamResult {
  value: unknown;
  check: Check;
}

function checkParam(name: string, bound: ParamBound, value: unknown): ParamResult {
  const id = `param:${name}`;
  if (value === undefined) return { value, check: { check: id, result: 'fail', detail: 'missing' } };
  if (bound.kind === 'enum') {
    const ok = bound.values.includes(value as string | number);
    return { value, check: { check: id, result: ok ? 'pass' : 'fail', detail: ok ? `${String(value)} is allowed` : `${JSON.stringify(value)} is not one of ${bound.values.join(', ')}` } };
  }
  if (bound.kind === 'integer') {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) return { value, check: { check: id, result: 'fail', detail: `${JSON.stringify(value)} is not an integer` } };
    const { min, max } = bound;
    if (value >= min && value <= max) return { value, check: { check: id, result: 'pass', detail: `${value} within ${min}..${max}` } };
    if (!bound.clamp) return { value, check: { check: id, result: 'fail', detail: `${value} outside ${min}..${max}` } };
    const clamped = Math.min(max, Math.max(min, value));
    return { value: clamped, check: { check: id, result: 'clamped', detail: `${value} clamped to ${clamped} (${min}..${max})` } };
  }
  const ok = typeof value === 'string' && value.length <= bound.maxLength;
  return { value, check: { check: id, result: ok ? 'pass' : 'fail', detail: ok ? 'text within limits' : `not a string of at most ${bound.maxLength} characters` } };
}

/** Checks a proposal's action and parameters against what the case allows (default deny). */
function checkAction(option: ActionOption | undefined, unavailable: string | undefined, proposal: Proposal): { checks: Check[]; action: Action | null } {
  if (!option) {
    const detail = unavailable ? `"${proposal.type}" is not allowed here: ${unavailable}` : `"${proposal.type}" is not an allowed action`;
    return { checks: [{ check: 'action-allowed', result: 'fail', detail }], action: null };
  }
  const checks: Check[] = [{ check: 'action-allowed', result: 'pass', detail: `"${proposal.type}" is allowed` }];
  const params: Record<string, unknown> = {};
  const given = proposal.params && typeof proposal.params === 'object' ? proposal.params : {};
  for (const [name, bound] of Object.entries(option.params)) {
    const r = checkParam(name, bound, given[name]);
    checks.push(r.check);
    params[name] = r.value;
  }
  for (const name of Object.keys(given)) {
    if (!(name in option.params)) checks.push({ check: `param:${name}`, result: 'fail', detail: 'not a parameter the policy allows' });
  }
  return { checks, action: checks.some((c) => c.result === 'fail') ? null : { type: option.type, params } };
}

function checkGuards(policy: JudgingPolicy, bindings: CelBindings, proposal: Proposal, action: Action | null): { checks: Check[]; escalate: string[] } {
  const checks: Check[] = [];
  const escalate: string[] = [];
  const seen = { ...bindings, proposal: toCel({ type: proposal.type, params: action?.params ?? proposal.params, confidenceBps: proposal.confidenceBps ?? 0 }) };
  for (const { guard, program } of policy.compiled.guards) {
    const id = `guard:${guard.id}`;
    if (!action) {
      checks.push({ check: id, result: 'skipped', detail: 'the proposal was already refused' });
      continue;
    }
    if (guard.appliesTo && !guard.appliesTo.includes(action.type)) {
      checks.push({ check: id, result: 'skipped', detail: `applies to ${guard.appliesTo.join(', ')}` });
      continue;
    }
    let held: boolean;
    let detail: string;
    try {
      held = evaluateBoolean(program, seen);
      // The expression is in the policy the decision names; a verdict repeats it only where it failed.
      detail = held ? 'holds' : `violated: ${guard.expr}`;
    } catch (e) {
      held = false;
      detail = `could not be evaluated (${(e as Error).message}): ${guard.expr}`;
    }
    checks.push({ check: id, result: held ? 'pass' : 'fail', detail });
    if (!held && guard.onFail === 'escalate') escalate.push(guard.id);
  }
  return { checks, escalate };
}

function checkEscalationRules(policy: JudgingPolicy, bindings: CelBindings, proposal: Proposal | null, action: Action, outcome: PendingOutcome): { checks: Check[]; fired: string[] } {
  const checks: Check[] = [];
  const fired: string[] = [];
  const seen = {
    ...bindings,
    proposal: toCel(proposal ? { type: proposal.type, params: proposal.params, confidenceBps: proposal.confidenceBps ?? 0 } : { type: '', params: {}, confidenceBps: 0 }),
    action: toCel(action),
    outcome,
  };
  for (const { rule, program } of policy.compiled.rules) {
    let fires: boolean;
    let detail: string;
    try {
      fires = evaluateBoolean(program, seen);
      detail = fires ? rule.when : 'does not apply';
    } catch (e) {
      // A rule that cannot tell is treated as firing: a human looks rather than nobody.
      fires = true;
      detail = `could not be evaluated, so a human decides (${(e as Error).message}): ${rule.when}`;
    }
    checks.push({ check: `escalate:${rule.id}`, result: fires ? 'escalate' : 'pass', detail });
    if (fires) fired.push(rule.id);
  }
  return { checks, fired };
}

/**
 * The policy's verdict on a proposal in one case. Schema validity is not authority: this runs
 * after every reasoner, and only what it returns as `action` may be executed. Every parameter
 * bound, guard and escalation rule is listed in `checks` with its result.
 */
export function judge(policy: JudgingPolicy, proposal: Proposal | null, bindings: CelBindings, allowed: AllowedSet = allowedActions(policy, bindings)): Verdict {
  const fallback = policy.document.fallback;
  const checks: Check[] = [];
  let candidate: Action;
  let outcome: PendingOutcome;
  const escalateFromGuards: string[] = [];
  if (!proposal) {
    checks.push({ check: 'proposal', result: 'fail', detail: 'the reasoner made no proposal' });
    candidate = fallback;
    outcome = 'fallback';
  } else {
    const option = allowed.actions.find((a) => a.type === proposal.type);
    const unavailable = allowed.unavailable.find((u) => u.type === proposal.type)?.reason;
    const checked = checkAction(option, unavailable, proposal);
    checks.push(...checked.checks);
    const guards = checkGuards(policy, bindings, proposal, checked.action);
    checks.push(...guards.checks);
    escalateFromGuards.push(...guards.escalate);
    const refused = checks.some((c) => c.result === 'fail');
    candidate = refused || !checked.action ? fallback : checked.action;
    outcome = refused ? 'fallback' : checks.some((c) => c.result === 'clamped') ? 'clamped' : 'approved';
  }
  const rules = checkEscalationRules(policy, bindings, proposal, candidate, outcome);
  checks.push(...rules.checks);
  const fired = [...escalateFromGuards.map((g) => `guard:${g}`), ...rules.fired];
  if (fired.length && policy.document.escalation) {
    return { outcome: 'escalated', checks, action: null, escalation: { rules: fired, pendingAction: candidate, pendingOutcome: outcome } };
  }
  return { outcome, checks, action: candidate };
}

/**
 * Checks a reviewer's override in the decision's case: an allowed action, every parameter inside
 * its bounds as given (nothing is clamped for a human), every guard holding. Escalation rules do
 * not apply: the reviewer is the escalation.
 */
export function checkOverride(policy: JudgingPolicy, action: Action, bindings: CelBindings): { ok: boolean; checks: Check[] } {
  const verdict = judge(policy, { type: action.type, params: action.params, confidenceBps: 10_000 }, bindings);
  const checks = verdict.checks.filter((c) => !c.check.startsWith('escalate:'));
  return { ok: !checks.some((c) => c.result === 'fail' || c.result === 'clamped'), checks };
}

function staticBound(spec: ParamSpec): ParamBound {
  if ('enum' in spec) return { kind: 'enum', values: spec.enum };
  if ('string' in spec) return { kind: 'string', maxLength: spec.string.maxLength };
  return { kind: 'integer', min: spec.integer.min, max: spec.integer.max, clamp: false };
}

/** Checks an action against the policy's static bounds only (no case): for fallbacks and overrides at lint time. */
export function checkStatically(document: PolicyDocument, action: Action): Check[] {
  const spec = document.actions.find((a) => a.type === action.type);
  const option = spec && { type: spec.type, params: Object.fromEntries(Object.entries(spec.params).map(([n, s]) => [n, staticBound(s)])) };
  return checkAction(option, undefined, { type: action.type, params: action.params }).checks;
}

/** Problems that make a policy unusable; the fallback must itself pass the policy. */
export function lintPolicy(policy: PolicyDocument): string[] {
  const problems: string[] = [];
  const types = policy.actions.map((a) => a.type);
  if (new Set(types).size !== types.length) problems.push('action types must be unique');
  const fallback = policy.actions.find((a) => a.type === policy.fallback.type);
  if (fallback?.when) problems.push('the fallback action must not have a condition: it must always be available');
  for (const c of checkStatically(policy, policy.fallback)) if (c.result !== 'pass') problems.push(`fallback ${c.check}: ${c.detail}`);
  const ids = [...policy.guards.map((g) => g.id), ...(policy.escalation?.rules ?? []).map((r) => r.id)];
  if (new Set(ids).size !== ids.length) problems.push('guard and escalation rule ids must be unique');
  for (const g of policy.guards) {
    for (const t of g.appliesTo ?? []) if (!types.includes(t)) problems.push(`guard ${g.id} applies to "${t}", which is not an action of this policy`);
    if (g.onFail === 'escalate' && !policy.escalation) problems.push(`guard ${g.id} escalates, but the policy has no escalation section (review timeout)`);
  }
  return problems;
}
