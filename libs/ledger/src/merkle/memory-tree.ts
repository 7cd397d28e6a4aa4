import { MerkleFrontier } from './frontier';
import { NodeId, NodeSource } from './subtrees';
import { HASH_BYTES } from './tree-hash';

/** Hashes of one level, packed 32 bytes apiece in one growing buffer. */
class HashColumn {
  private bytes = new Uint8Array(HASH_BYTES * 1024);
  length = 0;

  push(hash: Uint8Array): void {
    if ((this.length + 1) * HASH_BYTES > this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes.set(hash, this.length * HASH_BYTES);
    this.length++;
  }

  at(index: number): Uint8Array {
    return this.bytes.slice(index * HASH_BYTES, (index + 1) * HASH_BYTES);
  }
}

/**
 * A whole Merkle tree in memory: every complete subtree hash, for proofs of any size up to the
 * current one. Used to export bundles straight from the event store and in tests.
 */
export class MemoryMerkleTree implements NodeSource {
  private readonly levels: HashColumn[] = [];
  private readonly frontier = new MerkleFrontier();

  get size(): bigint {
    return BigInt(this.frontier.size);
  }

  append(leaf: Uint8Array): void {
    this.frontier.append(leaf, (level, _index, hash) => {
      (this.levels[level] ??= new HashColumn()).push(hash);
    });
  }

  root(): Uint8Array {
    return this.frontier.root();
  }

  leaf(index: bigint): Uint8Array {
    return this.node({ level: 0, index });
  }

  async nodes(ids: NodeId[]): Promise<Uint8Array[]> {
    return ids.map((id) => this.node(id));
  }

  private node(id: NodeId): Uint8Array {
    const column = this.levels[id.level];
    const index = Number(id.index);
    if (!column || index >= column.length) throw new RangeError(`no complete subtree at level ${id.level}, index ${id.index}`);
    return column.at(index);
  }
}
