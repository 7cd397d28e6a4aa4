import { CelBindings, CelProgram, compileCel, toCel } from './cel';
import type { EscalationRule, Guard, PolicyDocument } from './policy-document';

/** A policy's CEL expressions, parsed and planned once when the policy is loaded. */
export interface CompiledPolicy {
  /** Action type → its `when` condition. */
  actionWhen: Map<string, CelProgram>;
  /** `<action type>/<param>` → its case-dependent bounds. */
  bounds: Map<string, { minFrom?: CelProgram; maxFrom?: CelProgram }>;
  guards: { guard: Guard; program: CelProgram }[];
  rules: { rule: EscalationRule; program: CelProgram }[];
}

/** What a policy judges a case by: the trigger, the customer's memory and the facts the decision point gathered. */
export interface PolicyCase {
  event: unknown;
  memory: unknown;
  facts: unknown;
}

/** Throws CelSyntaxError naming the first expression that does not parse. */
export function compilePolicy(document: PolicyDocument): CompiledPolicy {
  const compiled: CompiledPolicy = { actionWhen: new Map(), bounds: new Map(), guards: [], rules: [] };
  for (const action of document.actions) {
    if (action.when) compiled.actionWhen.set(action.type, compileCel(action.when));
    for (const [name, spec] of Object.entries(action.params)) {
      if (!('integer' in spec) || (!spec.minFrom && !spec.maxFrom)) continue;
      compiled.bounds.set(`${action.type}/${name}`, {
        ...(spec.minFrom ? { minFrom: compileCel(spec.minFrom) } : {}),
        ...(spec.maxFrom ? { maxFrom: compileCel(spec.maxFrom) } : {}),
      });
    }
  }
  for (const g of document.guards) compiled.guards.push({ guard: g, program: compileCel(g.expr) });
  for (const rule of document.escalation?.rules ?? []) compiled.rules.push({ rule, program: compileCel(rule.when) });
  return compiled;
}

/** The variables every expression of the policy sees, converted once per case. */
export function caseBindings(document: PolicyDocument, c: PolicyCase): CelBindings {
  return { event: toCel(c.event), memory: toCel(c.memory), facts: toCel(c.facts ?? {}), reference: toCel(document.reference) };
}
