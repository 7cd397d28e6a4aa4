import { CelInput, celList, celMap } from '@bufbuild/cel';
import type { CelBindings, LoadedPolicy } from '@arbiter/policy';

/**
 * A JSON value as a CEL value, converted once and all the way down. The policy library hands CEL
 * plain objects, which CEL wraps again on every member access; a replay judges thousands of
 * cases a second, so its cases are built from CEL's own maps and lists instead. The values are
 * the same as `toCel` gives (safe integers as CEL ints), and so are the verdicts.
 */
export function celValueOf(value: unknown): CelInput {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (value === null || typeof value !== 'object') return value as CelInput;
  if (Array.isArray(value)) return celList(value.map(celValueOf));
  const entries = new Map<string, CelInput>();
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) entries.set(key, celValueOf(v));
  }
  return celMap(entries);
}

const references = new WeakMap<LoadedPolicy, CelInput>();

/** The bindings `caseBindings` gives, as CEL values; a policy's reference data is converted once per policy. */
export function celCaseBindings(policy: LoadedPolicy, c: { event: unknown; memory: unknown; facts: unknown }): CelBindings {
  let reference = references.get(policy);
  if (reference === undefined) references.set(policy, (reference = celValueOf(policy.document.reference)));
  return { event: celValueOf(c.event), memory: celValueOf(c.memory), facts: celValueOf(c.facts ?? {}), reference };
}
