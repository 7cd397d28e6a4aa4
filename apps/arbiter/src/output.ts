import { CommanderError } from 'commander';
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
