/** Base of the ledger's typed errors; `code` is stable for callers to match on. */
export class LedgerError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A value that the ledger format (I-JSON, LEDGER-SPEC §1) does not allow. */
export class MalformedError extends LedgerError {
  constructor(message: string) {
    super('malformed', message);
  }
}

/** An Ed25519 key that strict verification refuses (small order or non-canonical). */
export class WeakKeyError extends LedgerError {
  constructor(message: string) {
    super('weak-key', message);
  }
}
