import { celEnv, isCelError, isCelList, isCelMap, parse, plan } from '@bufbuild/cel';

/** A CEL expression that does not parse; policies carrying one are refused at load. */
export class CelSyntaxError extends Error {
  readonly code = 'cel-syntax';
}

/** An expression that parsed but could not be evaluated on a case (a missing field, a type mismatch). */
export class CelEvaluationError extends Error {
  readonly code = 'cel-evaluation';
}

export type CelBindings = Record<string, unknown>;

export interface CelProgram {
  source: string;
  evaluate(bindings: CelBindings): unknown;
}

const environment = celEnv();

/** Parses and plans an expression once; evaluation is then a few microseconds. */
export function compileCel(source: string): CelProgram {
  let program: ReturnType<typeof plan>;
  try {
    program = plan(environment, parse(source));
  } catch (e) {
    throw new CelSyntaxError(`${JSON.stringify(source)}: ${(e as Error).message}`);
  }
  return {
    source,
    evaluate(bindings) {
      const result = program(bindings as never);
      if (isCelError(result)) throw new CelEvaluationError(result.message);
      return result;
    },
  };
}

/**
 * JSON values as CEL sees them: integers become CEL `int` (bigint), so that money and counts
 * compare and divide as integers; everything else keeps its JSON meaning.
 */
export function toCel(value: unknown): unknown {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toCel(v);
    return out;
  }
  return value;
}

export function evaluateBoolean(program: CelProgram, bindings: CelBindings): boolean {
  const result = program.evaluate(bindings);
  if (typeof result !== 'boolean') throw new CelEvaluationError(`${program.source} gave ${describe(result)}, not a bool`);
  return result;
}

export function evaluateInteger(program: CelProgram, bindings: CelBindings): number {
  const result = program.evaluate(bindings);
  if (typeof result === 'bigint' && result >= BigInt(Number.MIN_SAFE_INTEGER) && result <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(result);
  if (typeof result === 'number' && Number.isSafeInteger(result)) return result;
  throw new CelEvaluationError(`${program.source} gave ${describe(result)}, not an integer`);
}

function describe(value: unknown): string {
  if (isCelList(value)) return 'a list';
  if (isCelMap(value)) return 'a map';
  return typeof value === 'bigint' ? `${value}` : JSON.stringify(value) ?? typeof value;
}
