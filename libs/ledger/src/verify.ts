import { LedgerAuditor } from './audit/auditor';
import { checkLeaf } from './audit/leaf-check';
import type { VerificationReport } from './audit/report';

export type { Failure, FailureCode, VerificationReport } from './audit/report';

/** One leaf of the log: the stored JSON text of a record, at its index in global order. */
export interface LeafText {
  leaf: number;
  text: string;
}

export interface VerifyOptions {
  /** The operator's root `did:key`, supplied by the auditor: the only trust anchor. */
  trustRoot: string;
  /** The ledger id every entry must carry; by default that of the checkpoint, else of the first key entry. */
  ledger?: string;
  /** Signed checkpoint notes to check against the leaves (oldest first). */
  checkpoints?: string[];
}

/**
 * Verifies a whole log held in memory, in this thread: LEDGER-SPEC §1–5 for every record, the
 * chains, and the checkpoints given. For stores and bundles of any size, `verifyLedger` does
 * the same on every core.
 */
export function verifyRecords(leaves: Iterable<LeafText>, options: VerifyOptions): VerificationReport {
  const checked = [...leaves].map(({ leaf, text }) => ({ leaf, ...checkLeaf(Buffer.from(text, 'utf8')) }));
  const auditor = new LedgerAuditor({ trustRoot: options.trustRoot, ledger: options.ledger, source: 'log' });
  auditor.presentCheckpoints(options.checkpoints ?? []);
  for (const { check } of checked) auditor.learnKey(check);
  auditor.verifyCheckpointSignatures();
  for (const { leaf, check, leafHash } of checked) auditor.accept(check, leafHash, leaf);
  return auditor.finish();
}
