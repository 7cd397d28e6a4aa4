import { CommanderError } from 'commander';
import { decisionPoints } from '@arbiter/reasoning';
import { ConfigError } from '@arbiter/runtime';

/** An error for the user: its message is printed without a stack, and the process exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function exitOnError(error: unknown): never {
  if (error instanceof CommanderError && error.exitCode === 0) process.exit(0);
  if (error instanceof CliError) {
    if (error.message && !error.message.startsWith('error:')) process.stderr.write(`arbiter: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  if (error instanceof ConfigError) {
    process.stderr.write(`arbiter: configuration: ${error.message}\n`);
    process.exit(2);
  }
  const code = (error as { code?: string }).code;
  process.stderr.write(`arbiter: ${(error as Error).message ?? String(error)}${code ? ` (${code})` : ''}\n`);
  process.exit(1);
}

export function positiveInteger(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 1) throw new CliError(`${name} must be a positive integer, not "${value}"`, 2);
    return n;
  };
}

export function nonNegativeInteger(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 0) throw new CliError(`${name} must be 0 or more, not "${value}"`, 2);
    return n;
  };
}

/** A repeatable option that also takes comma-separated values: `--x a --x b,c` is [a, b, c]. */
export const commaList = (value: string, previous: string[]) => [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];

/** Commands that read a ledger read it from one place. */
export function oneLedgerSource(options: { data?: string; esdb?: string }): void {
  if (options.data !== undefined && options.esdb !== undefined) throw new CliError('give --data DIR or --esdb URL, not both', 2);
}

/** Decision points named on the command line must be ones Arbiter has. */
export function knownDecisionPoints(named: string[]): void {
  const known = decisionPoints.map((p) => p.id);
  const unknown = named.filter((p) => !known.includes(p));
  if (unknown.length) throw new CliError(`unknown decision point ${unknown.join(', ')}; known: ${known.join(', ')}`, 2);
}
