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

const VARIABLES = ['event', 'memory', 'facts'] as const;
type Variable = (typeof VARIABLES)[number];

/**
 * The members of `event`, `memory` and `facts` a policy's expressions can reach: those named as
 * `variable.member`. Null for a variable used any other way (indexed, passed whole, or a macro
 * variable of the same name), which then gets converted whole. Members no expression names
 * cannot change a verdict, so a case need not carry them.
 */
function membersUsed(sources: string[]): Record<Variable, Set<string> | null> {
  const used = Object.fromEntries(VARIABLES.map((v) => [v, new Set<string>()])) as Record<Variable, Set<string> | null>;
  for (const source of sources) {
    for (const variable of VARIABLES) {
      for (const m of source.matchAll(new RegExp(`(?<![\\w.])${variable}\\b(\\s*\\.\\s*([A-Za-z_][A-Za-z0-9_]*))?`, 'g'))) {
        if (m[2] === undefined) used[variable] = null;
        else used[variable]?.add(m[2]);
      }
    }
  }
  return used;
}

function expressionsOf(policy: LoadedPolicy): string[] {
  const c = policy.compiled;
  return [
    ...[...c.actionWhen.values()].map((p) => p.source),
    ...[...c.bounds.values()].flatMap((b) => [b.minFrom?.source, b.maxFrom?.source]).filter((s): s is string => s !== undefined),
    ...c.guards.map((g) => g.program.source),
    ...c.rules.map((r) => r.program.source),
  ];
}

interface PolicyShape {
  reference: CelInput;
  members: Record<Variable, Set<string> | null>;
}

const shapes = new WeakMap<LoadedPolicy, PolicyShape>();

function shapeOf(policy: LoadedPolicy): PolicyShape {
  let shape = shapes.get(policy);
  if (!shape) shapes.set(policy, (shape = { reference: celValueOf(policy.document.reference), members: membersUsed(expressionsOf(policy)) }));
  return shape;
}

/** Only the members the policy reads, each converted whole. */
function celMembers(value: unknown, members: Set<string> | null): CelInput {
  if (members === null || value === null || typeof value !== 'object' || Array.isArray(value)) return celValueOf(value);
  const entries = new Map<string, CelInput>();
  for (const key of members) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) entries.set(key, celValueOf(v));
  }
  return celMap(entries);
}

/**
 * The bindings `caseBindings` gives, as CEL values: the policy's reference data converted once
 * per policy, and of the case only what the policy's expressions name.
 */
export function celCaseBindings(policy: LoadedPolicy, c: { event: unknown; memory: unknown; facts: unknown }): CelBindings {
  const { reference, members } = shapeOf(policy);
  return { event: celMembers(c.event, members.event), memory: celMembers(c.memory, members.memory), facts: celMembers(c.facts ?? {}, members.facts), reference };
}
