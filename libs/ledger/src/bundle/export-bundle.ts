import { EventStore, StreamNotFoundError } from '@arbiter/event-store';
import { DECISIONS_CHAIN_PREFIX, KEYS_CHAIN, POLICIES_CHAIN } from '../bodies';
import { CHECKPOINTS_STREAM, Checkpoint, parseCheckpoint } from '../checkpoint/checkpoint';
import { ledgerLeaf } from '../audit/leaf-check';
import { storeSource } from '../audit/store-source';
import { recordBytes } from '../audit/source';
import { LedgerError } from '../errors';
import { MemoryMerkleTree } from '../merkle/memory-tree';
import { inclusionProof } from '../merkle/proofs';
import { hashesEqual } from '../merkle/tree-hash';
import { BundleEntryOut, writeBundle } from './bundle-writer';

/** The store cannot back a bundle: no checkpoint yet, or fewer records than its checkpoint covers. */
export class ExportError extends LedgerError {
  constructor(code: 'no-checkpoint' | 'no-such-customer' | 'store-short', message: string) {
    super(code, message);
  }
}

export interface ExportOptions {
  /** Every chain (no proofs: the auditor recomputes the root), or one customer's decisions with proofs. */
  scope: { all: true } | { customer: string };
  out: string;
}

export interface ExportResult {
  ledger: string;
  checkpoint: { size: number; root: string };
  entries: number;
  chains: string[];
  /** False when the store's records do not hash to the checkpoint's root: the bundle will not verify, and says so. */
  rootMatches: boolean;
}

/**
 * Writes an `arbiter.bundle/1` (LEDGER-SPEC §6) of everything the latest checkpoint covers: every
 * leaf, or whole chains — `keys`, `policies` and one customer's decisions, each from seq 0 — with
 * an inclusion proof per entry. The store is read twice, so no record is held in memory: once
 * to build the tree, once to write.
 */
export async function exportBundle(store: EventStore, options: ExportOptions): Promise<ExportResult> {
  const checkpoint = await latestCheckpointIn(store);
  const size = Number(checkpoint.size);
  const wanted = (chain: string | null) =>
    'all' in options.scope || chain === KEYS_CHAIN || chain === POLICIES_CHAIN || chain === `${DECISIONS_CHAIN_PREFIX}${options.scope.customer}`;

  const tree = new MemoryMerkleTree();
  const chains = new Set<string>();
  for await (const { leaf, data, stream } of storeSource(store).leaves()) {
    if (leaf >= size) break;
    const info = ledgerLeaf(data);
    tree.append(info.leafHash);
    const chain = info.chain ?? stream ?? null;
    if (chain !== null && wanted(chain)) chains.add(chain);
  }
  if (tree.size < checkpoint.size) throw new ExportError('store-short', `the store holds ${tree.size} ledger records, fewer than the ${size} its latest checkpoint covers`);
  if ('customer' in options.scope && !chains.has(`${DECISIONS_CHAIN_PREFIX}${options.scope.customer}`)) {
    throw new ExportError('no-such-customer', `no decisions about customer "${options.scope.customer}" are covered by the latest checkpoint`);
  }

  const withProofs = !('all' in options.scope);
  async function* entries(): AsyncIterable<BundleEntryOut> {
    for await (const { leaf, data, stream } of storeSource(store).leaves()) {
      if (leaf >= size) return;
      const chain = ledgerLeaf(data).chain ?? stream ?? null;
      if (!wanted(chain)) continue;
      yield { leaf, record: recordBytes(data), ...(withProofs ? { proof: await inclusionProof(tree, BigInt(leaf), checkpoint.size) } : {}) };
    }
  }
  const count = await writeBundle(options.out, { ledger: checkpoint.ledger, checkpoint: checkpoint.note }, entries());
  return {
    ledger: checkpoint.ledger,
    checkpoint: { size, root: Buffer.from(checkpoint.root).toString('base64') },
    entries: count,
    chains: [...chains].sort(),
    rootMatches: hashesEqual(tree.root(), checkpoint.root),
  };
}

async function latestCheckpointIn(store: EventStore): Promise<Checkpoint> {
  try {
    for await (const event of store.readStream(CHECKPOINTS_STREAM, { direction: 'backwards', from: 'end', maxCount: 1 })) {
      return parseCheckpoint(Buffer.from(event.data).toString('utf8'));
    }
  } catch (e) {
    if (!(e instanceof StreamNotFoundError)) throw e;
  }
  throw new ExportError('no-checkpoint', 'no checkpoint has been signed yet: the notary signs one at least every second while Arbiter runs');
}
