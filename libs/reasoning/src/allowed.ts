import type { ActionOption, ParamBound } from '@arbiter/policy';
import type { ReasoningInput } from './decision-point';

/** The allowed option of a type in this case, if the policy allows it here. */
export function optionOf(input: Pick<ReasoningInput, 'allowed'>, type: string): ActionOption | undefined {
  return input.allowed.actions.find((a) => a.type === type);
}

/** An integer bound of an allowed option, for heuristics that stay inside it. */
export function integerBound(option: ActionOption | undefined, param: string): { min: number; max: number } | undefined {
  const bound: ParamBound | undefined = option?.params[param];
  return bound?.kind === 'integer' ? { min: bound.min, max: bound.max } : undefined;
}

export const clampTo = (value: number, bound: { min: number; max: number } | undefined) => (bound ? Math.min(bound.max, Math.max(bound.min, value)) : value);
