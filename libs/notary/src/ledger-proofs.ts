import type { EventStore } from '@arbiter/event-store';
import { Checkpoint, ProofRequestError, consistencyProof, inclusionProof, rootBase64 } from '@arbiter/ledger';
import type { ReadModelStore } from '@arbiter/read-models';
import { latestCheckpoint } from './checkpoint-log';
import { LeafInfo, MerkleLogStore } from './merkle-log-store';

export interface CheckpointView {
  origin: string;
  ledger: string;
  size: number;
  root: string;
  /** The signed note: what an auditor verifies and keeps. */
  note: string;
}

export interface InclusionProofView {
  leaf: number;
  size: number;
  /** The entry at the leaf, so a client can check it holds the record it asked about. */
  entry: { chain: string; seq: number; hash: string } | null;
  proof: string[];
}

export interface ConsistencyProofView {
  from: number;
  to: number;
  proof: string[];
}

const b64 = (hashes: Uint8Array[]) => hashes.map((h) => Buffer.from(h).toString('base64'));

function view(cp: Checkpoint): CheckpointView {
  return { origin: cp.origin, ledger: cp.ledger, size: Number(cp.size), root: rootBase64(cp.root), note: cp.note };
}

/** What the gateway serves of the log: the latest checkpoint, and RFC 9162 proofs against any size the log has. */
export class LedgerProofs {
  private readonly log: MerkleLogStore;

  constructor(
    private readonly store: EventStore,
    readModels: ReadModelStore,
  ) {
    this.log = new MerkleLogStore(readModels);
  }

  async checkpoint(): Promise<CheckpointView | null> {
    const latest = await latestCheckpoint(this.store);
    return latest ? view(latest.checkpoint) : null;
  }

  async inclusion(leaf: number, size: number): Promise<InclusionProofView> {
    await this.assertWithinLog(size);
    if (leaf >= size) throw new ProofRequestError(`leaf ${leaf} is not in a tree of ${size} leaves`);
    const info: LeafInfo | null = await this.log.leaf(leaf);
    return {
      leaf,
      size,
      entry: info ? { chain: info.chain, seq: info.seq, hash: info.recordHash } : null,
      proof: b64(await inclusionProof(this.log, BigInt(leaf), BigInt(size))),
    };
  }

  /** The leaf of an entry, for clients that know a decision's chain and seq. */
  async leafOf(chain: string, seq: number): Promise<number | null> {
    return (await this.log.leafOf(chain, seq))?.index ?? null;
  }

  async consistency(from: number, to: number): Promise<ConsistencyProofView> {
    await this.assertWithinLog(to);
    if (from > to) throw new ProofRequestError(`from (${from}) must not exceed to (${to})`);
    return { from, to, proof: b64(await consistencyProof(this.log, BigInt(from), BigInt(to))) };
  }

  private async assertWithinLog(size: number): Promise<void> {
    const logSize = await this.log.size();
    if (size < 1) throw new ProofRequestError('a tree size is at least 1');
    if (size > logSize) throw new ProofRequestError(`size ${size} is beyond the log, which has ${logSize} leaves`);
  }
}
