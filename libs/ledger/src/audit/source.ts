/** One record of a source, at its leaf index. */
export interface SourceLeaf {
  leaf: number;
  /** The record's stored bytes, exactly as written; or, where they are UTF-8 text, that text (which encodes back to them). */
  data: Uint8Array | string;
  /**
   * Set when `data` is a whole bundle entry (`{"leaf":…,"record":…,"proof":…}`), read where the
   * record is checked: `leaf` and `proof` then come from there, and `index` is its place in `entries`.
   */
  entry?: { index: number };
  /** A bundle entry's inclusion proof, if it has one. */
  proof?: Uint8Array[] | null;
  /** Where an event store keeps it: the record's chain and seq must say the same. */
  stream?: string;
  revision?: bigint;
}

/** A problem with the source's own structure (a broken bundle), reported as a failure. */
export interface SourceProblem {
  leaf?: number;
  message: string;
}

/** What the verifier reads: an event store (every leaf, in order) or a proof bundle. */
export interface LedgerSource {
  readonly kind: 'log' | 'bundle';
  /** The ledger id the source declares (a bundle's `ledger`), if any. */
  ledger(): Promise<string | undefined>;
  /** Signed checkpoint notes, oldest first. */
  checkpoints(): Promise<string[]>;
  /** The records of chain `keys`, read before anything else. */
  keyRecords(): AsyncIterable<Uint8Array>;
  /** Every record, in leaf order. */
  leaves(): AsyncIterable<SourceLeaf>;
  /** The same, `size` at a time: one await per batch rather than per record, on the thread that reads. */
  leafBatches(size: number): AsyncIterable<SourceLeaf[]>;
  /** Structural problems met so far. */
  problems(): SourceProblem[];
  /** How far `leaves` has got, from 0 to 1, for a progress bar. */
  progress(): number;
}

/** A leaf's record as bytes. */
export function recordBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}
