import { CelBindings, evaluateBoolean, evaluateInteger } from './cel';
import type { CompiledPolicy } from './compiled-policy';
import type { AllowedAction, PolicyDocument } from './policy-document';

/** A parameter's bounds in one case, with every case-dependent bound already evaluated. */
export type ParamBound =
  | { kind: 'integer'; min: number; max: number; clamp: boolean }
  | { kind: 'enum'; values: (string | number)[] }
  | { kind: 'string'; maxLength: number };

export interface ActionOption {
  type: string;
  description?: string;
  params: Record<string, ParamBound>;
}

/**
 * What may happen in this case, computed before any reasoner is asked: the model's output schema
 * is built from it, and the verdict checks the proposal against it again afterwards.
 */
export interface AllowedSet {
  actions: ActionOption[];
  /** Actions the policy lists that this case rules out, and why. */
  unavailable: { type: string; reason: string }[];
}

function boundsOf(policy: { document: PolicyDocument; compiled: CompiledPolicy }, action: AllowedAction, bindings: CelBindings): Record<string, ParamBound> {
  const params: Record<string, ParamBound> = {};
  for (const [name, spec] of Object.entries(action.params)) {
    if ('enum' in spec) params[name] = { kind: 'enum', values: spec.enum };
    else if ('string' in spec) params[name] = { kind: 'string', maxLength: spec.string.maxLength };
    else {
      const dynamic = policy.compiled.bounds.get(`${action.type}/${name}`);
      const min = dynamic?.minFrom ? Math.max(spec.integer.min, evaluateInteger(dynamic.minFrom, bindings)) : spec.integer.min;
      const max = dynamic?.maxFrom ? Math.min(spec.integer.max, evaluateInteger(dynamic.maxFrom, bindings)) : spec.integer.max;
      if (min > max) throw new Error(`no value of ${name} fits here (${min}..${max})`);
      params[name] = { kind: 'integer', min, max, clamp: spec.clamp };
    }
  }
  return params;
}

/** The policy's actions that are allowed in this case, with their concrete parameter bounds. */
export function allowedActions(policy: { document: PolicyDocument; compiled: CompiledPolicy }, bindings: CelBindings): AllowedSet {
  const set: AllowedSet = { actions: [], unavailable: [] };
  for (const action of policy.document.actions) {
    try {
      const when = policy.compiled.actionWhen.get(action.type);
      if (when && !evaluateBoolean(when, bindings)) {
        set.unavailable.push({ type: action.type, reason: `its condition does not hold: ${action.when}` });
        continue;
      }
      set.actions.push({ type: action.type, ...(action.description ? { description: action.description } : {}), params: boundsOf(policy, action, bindings) });
    } catch (e) {
      // Default deny: an action whose condition or bounds cannot be worked out is not offered.
      set.unavailable.push({ type: action.type, reason: (e as Error).message });
    }
  }
  return set;
}
