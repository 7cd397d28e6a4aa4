/** Why a replay, an export or a memory rebuild could not do what was asked; `code` is what callers match on. */
export type ReplayErrorCode =
  | 'bad-time'
  | 'no-candidate-policies'
  | 'sandbox-mismatch'
  | 'sandbox-in-use'
  | 'replay-interrupted'
  | 'reasoner-missing';

export class ReplayError extends Error {
  constructor(
    readonly code: ReplayErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ReplayError';
  }
}

/** A run stopped between two batches (a signal, Ctrl-C): everything before is in the sandbox journal, and `--resume` goes on from there. */
export class ReplayInterruptedError extends ReplayError {
  constructor(
    readonly decisions: number,
    readonly sandbox: string | null,
  ) {
    super('replay-interrupted', `interrupted after ${decisions} decisions; the sandbox keeps them and --resume continues from there`);
  }
}
