import { nodeHash } from './tree-hash';

/** A perfect subtree: the 2^level leaves from index·2^level. Complete subtrees never change. */
export interface NodeId {
  level: number;
  index: bigint;
}

/** Leaves [start, end) of the tree: the span of one MTH(D[start:end]) in RFC 9162's recursion. */
export interface LeafRange {
  start: bigint;
  end: bigint;
}

/** Where the hashes of complete subtrees come from: memory, or a database. */
export interface NodeSource {
  nodes(ids: NodeId[]): Promise<Uint8Array[]>;
}

/** The largest power of two strictly below n (n ≥ 2): RFC 9162's split point k. */
export function splitPoint(n: bigint): bigint {
  let k = 1n;
  while (k << 1n < n) k <<= 1n;
  return k;
}

/**
 * The perfect subtrees that make up a range, largest first. Every range RFC 9162's recursion
 * produces starts at a multiple of a power of two at least as large as the range, so the range
 * splits along the binary digits of its length.
 */
export function perfectSubtrees(range: LeafRange): NodeId[] {
  const ids: NodeId[] = [];
  let cursor = range.start;
  let remaining = range.end - range.start;
  for (let level = 63; level >= 0 && remaining > 0n; level--) {
    const width = 1n << BigInt(level);
    if (remaining >= width) {
      ids.push({ level, index: cursor >> BigInt(level) });
      cursor += width;
      remaining -= width;
    }
  }
  return ids;
}

/** MTH of a range from the hashes of its perfect subtrees: folded from the right, as RFC 9162 splits it. */
export function foldSubtrees(hashes: Uint8Array[]): Uint8Array {
  let h = hashes[hashes.length - 1];
  for (let i = hashes.length - 2; i >= 0; i--) h = nodeHash(hashes[i], h);
  return h;
}

/** The hash of each range, fetching every perfect subtree they need in one call to the source. */
export async function rangeHashes(ranges: LeafRange[], source: NodeSource): Promise<Uint8Array[]> {
  const parts = ranges.map(perfectSubtrees);
  const fetched = await source.nodes(parts.flat());
  let offset = 0;
  return parts.map((ids) => {
    const hashes = fetched.slice(offset, offset + ids.length);
    offset += ids.length;
    return foldSubtrees(hashes);
  });
}
