import { LeafRange, NodeSource, rangeHashes, splitPoint } from './subtrees';
import { EMPTY_ROOT, HASH_BYTES, hashesEqual, nodeHash } from './tree-hash';
import { LedgerError } from '../errors';

/** A proof asked for sizes or indices the tree cannot answer. */
export class ProofRequestError extends LedgerError {
  constructor(message: string) {
    super('bad-proof-request', message);
  }
}

/** RFC 9162 §2.1.3.1 PATH(m, D[n]): the ranges whose hashes prove leaf m in a tree of n leaves, in proof order. */
export function inclusionProofRanges(index: bigint, size: bigint): LeafRange[] {
  if (index < 0n || index >= size) throw new ProofRequestError(`leaf ${index} is not in a tree of ${size} leaves`);
  const ranges: LeafRange[] = [];
  const path = (start: bigint, end: bigint): void => {
    if (end - start === 1n) return;
    const k = splitPoint(end - start);
    if (index - start < k) {
      path(start, start + k);
      ranges.push({ start: start + k, end });
    } else {
      path(start + k, end);
      ranges.push({ start, end: start + k });
    }
  };
  path(0n, size);
  return ranges;
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[n]): the ranges whose hashes prove the tree of m leaves is a prefix of the tree of n. */
export function consistencyProofRanges(first: bigint, second: bigint): LeafRange[] {
  if (first < 0n || first > second) throw new ProofRequestError(`no consistency proof from ${first} to ${second} leaves`);
  const ranges: LeafRange[] = [];
  if (first === 0n || first === second) return ranges;
  const subproof = (m: bigint, start: bigint, end: bigint, whole: boolean): void => {
    if (m === end - start) {
      if (!whole) ranges.push({ start, end });
      return;
    }
    const k = splitPoint(end - start);
    if (m <= k) {
      subproof(m, start, start + k, whole);
      ranges.push({ start: start + k, end });
    } else {
      subproof(m - k, start + k, end, false);
      ranges.push({ start, end: start + k });
    }
  };
  subproof(first, 0n, second, true);
  return ranges;
}

export async function inclusionProof(source: NodeSource, index: bigint, size: bigint): Promise<Uint8Array[]> {
  return rangeHashes(inclusionProofRanges(index, size), source);
}

export async function consistencyProof(source: NodeSource, first: bigint, second: bigint): Promise<Uint8Array[]> {
  return rangeHashes(consistencyProofRanges(first, second), source);
}

const isHash = (h: Uint8Array) => h.length === HASH_BYTES;

/** RFC 9162 §2.1.3.2: the root an inclusion proof leads to, or null when the proof cannot be for this leaf and size. */
export function rootFromInclusionProof(index: bigint, size: bigint, leaf: Uint8Array, proof: Uint8Array[]): Uint8Array | null {
  if (index < 0n || index >= size || !isHash(leaf) || !proof.every(isHash)) return null;
  let fn = index;
  let sn = size - 1n;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) return null;
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n ? r : null;
}

export function verifyInclusion(index: bigint, size: bigint, leaf: Uint8Array, proof: Uint8Array[], root: Uint8Array): boolean {
  const computed = rootFromInclusionProof(index, size, leaf, proof);
  return computed !== null && hashesEqual(computed, root);
}

/** RFC 9162 §2.1.4.2: true when `proof` shows the tree of `first` leaves (firstRoot) is a prefix of the tree of `second` (secondRoot). */
export function verifyConsistency(first: bigint, second: bigint, proof: Uint8Array[], firstRoot: Uint8Array, secondRoot: Uint8Array): boolean {
  if (first < 0n || first > second || !proof.every(isHash) || !isHash(firstRoot) || !isHash(secondRoot)) return false;
  if (first === second) return proof.length === 0 && hashesEqual(firstRoot, secondRoot);
  if (first === 0n) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = (first & (first - 1n)) === 0n ? [firstRoot, ...proof] : proof;
  let fn = first - 1n;
  let sn = second - 1n;
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && hashesEqual(fr, firstRoot) && hashesEqual(sr, secondRoot);
}

/** MTH(D[0:size]) from the complete subtrees a source holds: the root at any size up to the tree's. */
export async function rootAtSize(source: NodeSource, size: bigint): Promise<Uint8Array> {
  if (size === 0n) return EMPTY_ROOT;
  const [root] = await rangeHashes([{ start: 0n, end: size }], source);
  return root;
}
