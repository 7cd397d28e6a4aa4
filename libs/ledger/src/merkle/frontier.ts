import { EMPTY_ROOT, nodeHash } from './tree-hash';

/** Called for each complete subtree as it appears: the leaf itself at level 0, then every parent it completes. */
export type NodeListener = (level: number, index: number, hash: Uint8Array) => void;

/**
 * The right edge of an append-only Merkle tree (a compact range from leaf 0): the roots of the
 * perfect subtrees along the binary digits of its size, largest first. Appending costs one leaf
 * and, on average, one interior hash; the root of the current size folds at most 64 of them.
 * Counts are numbers here, on the hot path of verification; 2^53 leaves is out of reach.
 */
export class MerkleFrontier {
  private readonly stack: Uint8Array[];
  private count: number;

  constructor(size = 0, stack: Uint8Array[] = []) {
    this.count = size;
    this.stack = [...stack];
  }

  get size(): number {
    return this.count;
  }

  /** The perfect subtree roots of the right edge, largest first: what is persisted to resume. */
  get edge(): Uint8Array[] {
    return [...this.stack];
  }

  append(leaf: Uint8Array, onNode?: NodeListener): void {
    let h = leaf;
    let n = this.count;
    let level = 0;
    onNode?.(0, n, h);
    while (n & 1) {
      h = nodeHash(this.stack.pop()!, h);
      n = Math.floor(n / 2);
      level++;
      onNode?.(level, n, h);
    }
    this.stack.push(h);
    this.count++;
  }

  root(): Uint8Array {
    if (this.stack.length === 0) return EMPTY_ROOT;
    let h = this.stack[this.stack.length - 1];
    for (let i = this.stack.length - 2; i >= 0; i--) h = nodeHash(this.stack[i], h);
    return h;
  }

  clone(): MerkleFrontier {
    return new MerkleFrontier(this.count, this.stack);
  }
}
