import { ConsistencyEvidence, LedgerAuditor, WitnessOutcome } from './auditor';
import { CheckPool, Checker, inThreadChecker } from './check-pool';
import { checkLeaf } from './leaf-check';
import type { VerificationReport } from './report';
import type { LedgerSource, SourceLeaf } from './source';
import type { WitnessStore } from './witness';

export interface VerifyLedgerOptions {
  /** The operator's root `did:key`: the only trust anchor. */
  trustRoot: string;
  /** The ledger id to hold entries to; by default the checkpoint's. */
  ledger?: string;
  /** Witness state: a presented checkpoint must be consistent with the last one verified. */
  witness?: WitnessStore;
  /** A consistency proof from the witnessed checkpoint to the presented one, for sources that cannot show it themselves. */
  consistency?: ConsistencyEvidence;
  /** Worker threads for the per-record checks; 0 checks in this thread. Default: one per core. */
  workers?: number;
  onProgress?: (progress: { entries: number; fraction: number }) => void;
}

export interface LedgerVerification {
  report: VerificationReport;
  witness: (WitnessOutcome & { evidenceFiles: string[]; saved: boolean }) | null;
}

const BATCH = 256;
const IN_FLIGHT_PER_WORKER = 4;

/**
 * Verifies everything LEDGER-SPEC §7 asks of a ledger in a store or a bundle: every record's
 * JSON, hash and signature (on every core), the key registry, chains, decision uniqueness, the
 * Merkle root against every checkpoint, inclusion proofs, and witness state.
 */
export async function verifyLedger(source: LedgerSource, options: VerifyLedgerOptions): Promise<LedgerVerification> {
  const auditor = new LedgerAuditor({ trustRoot: options.trustRoot, ledger: options.ledger ?? (await source.ledger()), source: source.kind });
  auditor.presentCheckpoints(await source.checkpoints());
  for await (const record of source.keyRecords()) auditor.learnKey(checkLeaf(record).check);
  auditor.verifyCheckpointSignatures();
  const origin = auditor.origin();
  const trusted = options.witness && origin ? await options.witness.load(origin) : null;
  if (trusted) auditor.witness(trusted, options.consistency);

  const checker: Checker = options.workers === 0 ? inThreadChecker : CheckPool.start(options.workers);
  try {
    await checkLeaves(source, auditor, checker, options.onProgress);
  } finally {
    await checker.close();
  }
  for (const p of source.problems()) auditor.reportMalformed(p.message, p.leaf);
  const report = auditor.finish();
  if (!options.witness || !origin) return { report, witness: null };
  return { report, witness: await keepWitnessState(options.witness, origin, auditor.witnessOutcome()) };
}

/** Reads leaves in order, checks them in batches on the checker, and feeds the results back in order. */
async function checkLeaves(source: LedgerSource, auditor: LedgerAuditor, checker: Checker, onProgress: VerifyLedgerOptions['onProgress']): Promise<void> {
  const inFlight: { leaves: SourceLeaf[]; result: ReturnType<Checker['check']> }[] = [];
  const limit = IN_FLIGHT_PER_WORKER * checker.parallelism;
  let entries = 0;
  let lastReport = 0;
  const drainOne = async () => {
    const { leaves, result } = inFlight.shift()!;
    const { checks, leafHashes, entries: parts } = await result;
    const proofs = new Map(parts?.proofs.map(([i, proof]) => [i, proof.map((h) => new Uint8Array(Buffer.from(h, 'base64')))]));
    const problems = new Map(parts?.problems);
    for (let i = 0; i < leaves.length; i++) {
      const l = leaves[i];
      const leafHash = leafHashes.subarray(32 * i, 32 * i + 32);
      if (!parts) {
        auditor.accept(checks[i], leafHash, l.leaf, l.proof, l.stream, l.revision);
      } else if (problems.has(i)) {
        auditor.reportMalformed(`bundle entry ${l.entry!.index}: ${problems.get(i)}`);
      } else {
        auditor.accept(checks[i], leafHash, parts.leaf[i], proofs.get(i) ?? null);
      }
    }
    entries += leaves.length;
    const now = Date.now();
    if (onProgress && now - lastReport > 100) {
      lastReport = now;
      onProgress({ entries, fraction: source.progress() });
    }
  };
  for await (const batch of source.leafBatches(BATCH)) {
    inFlight.push({ leaves: batch, result: checker.check(batch.map((l) => l.data), batch[0].entry !== undefined) });
    if (inFlight.length >= limit) await drainOne();
  }
  while (inFlight.length) await drainOne();
  onProgress?.({ entries, fraction: 1 });
}

async function keepWitnessState(witness: WitnessStore, origin: string, outcome: WitnessOutcome): Promise<NonNullable<LedgerVerification['witness']>> {
  const now = new Date();
  const evidenceFiles: string[] = [];
  for (const e of outcome.evidence) evidenceFiles.push(await witness.keepEvidence(e, now));
  if (outcome.save) await witness.save(origin, outcome.save);
  return { ...outcome, evidenceFiles, saved: outcome.save !== null };
}
