export type FailureCode =
  | 'malformed' | 'hash-mismatch' | 'bad-signature' | 'weak-key' | 'unknown-signer' | 'signer-not-valid'
  | 'seq-gap' | 'broken-link' | 'duplicate-decision' | 'checkpoint-signature' | 'root-mismatch'
  | 'inclusion-proof' | 'truncated' | 'rollback' | 'fork';

export interface Failure {
  code: FailureCode;
  chain?: string;
  seq?: number;
  leaf?: number;
  message: string;
}

/** The verification report of LEDGER-SPEC §7. */
export interface VerificationReport {
  ok: boolean;
  entries: number;
  chains: number;
  /** The checkpoint the ledger presents (the largest validly signed one), or null when it has none. */
  checkpoint: { size: number; root: string } | null;
  failures: Failure[];
}
