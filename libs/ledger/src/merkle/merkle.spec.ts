import { createHash } from 'node:crypto';
import { MerkleFrontier } from './frontier';
import { MemoryMerkleTree } from './memory-tree';
import {
  consistencyProof, consistencyProofRanges, inclusionProof, inclusionProofRanges, rootAtSize, rootFromInclusionProof,
  verifyConsistency, verifyInclusion,
} from './proofs';
import { EMPTY_ROOT, leafHash, nodeHash } from './tree-hash';

const dh = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// Known answers from transparency-dev/merkle proof/verify_test.go (the RFC 6962 / RFC 9162 hashing).
const leaves = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(dh);
const roots = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map(dh);
// Leaf numbers are 1-based in the upstream table.
const inclusionVectors = [
  { leaf: 1, size: 8, proof: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { leaf: 6, size: 8, proof: ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
  { leaf: 3, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  { leaf: 2, size: 5, proof: ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'] },
];
const consistencyVectors = [
  { first: 1, second: 8, proof: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { first: 6, second: 8, proof: ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
  { first: 2, second: 5, proof: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'] },
  { first: 6, second: 7, proof: ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
];
const someHash = dh('abacaba000000000000000000000000000000000000000000060061e00123456');

function treeOf(count: number): MemoryMerkleTree {
  const tree = new MemoryMerkleTree();
  for (let i = 0; i < count; i++) tree.append(leafHash(i < leaves.length ? leaves[i] : Buffer.from(`leaf ${i}`)));
  return tree;
}

/** MTH straight from RFC 9162 §2.1.1's recursion, to check the incremental structures against. */
function referenceRoot(hashes: Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return EMPTY_ROOT;
  if (hashes.length === 1) return hashes[0];
  let k = 1;
  while (k * 2 < hashes.length) k *= 2;
  return nodeHash(referenceRoot(hashes.slice(0, k)), referenceRoot(hashes.slice(k)));
}

const flip = (h: Uint8Array, mask: number) => {
  const copy = Uint8Array.from(h);
  copy[0] ^= mask;
  return copy;
};

/** The inclusion probes transparency-dev/merkle's corruptInclusionProof makes: each must fail. */
function corruptedInclusions(index: bigint, size: bigint, proof: Uint8Array[], root: Uint8Array, leaf: Uint8Array) {
  const probes: [string, bigint, bigint, Uint8Array, Uint8Array[], Uint8Array][] = [
    ['leaf index - 1', index - 1n, size, leaf, proof, root],
    ['leaf index + 1', index + 1n, size, leaf, proof, root],
    ['leaf index ^ 2', index ^ 2n, size, leaf, proof, root],
    ['tree size * 2', index, size * 2n, leaf, proof, root],
    ['tree size / 2', index, size / 2n, leaf, proof, root],
    ['wrong leaf', index, size, Buffer.from('WrongLeaf'), proof, root],
    ['empty root', index, size, leaf, proof, EMPTY_ROOT],
    ['random root', index, size, leaf, proof, someHash],
    ['trailing garbage', index, size, leaf, [...proof, new Uint8Array(0)], root],
    ['trailing root', index, size, leaf, [...proof, root], root],
    ['preceding garbage', index, size, leaf, [new Uint8Array(0), ...proof], root],
    ['preceding root', index, size, leaf, [root, ...proof], root],
  ];
  proof.forEach((_, i) => probes.push([`proof[${i}] bit 3 flipped`, index, size, leaf, proof.map((p, j) => (j === i ? flip(p, 8) : p)), root]));
  if (proof.length > 0) probes.push(['removed component', index, size, leaf, proof.slice(0, -1), root]);
  if (proof.length > 1) probes.push(['inserted component', index, size, leaf, [proof[0], someHash, ...proof.slice(1)], root]);
  return probes;
}

/** The consistency probes of transparency-dev/merkle's corruptConsistencyProof: each must fail. */
function corruptedConsistencies(first: bigint, second: bigint, proof: Uint8Array[], firstRoot: Uint8Array, secondRoot: Uint8Array) {
  const wrong = Buffer.from('WrongRoot');
  const probes: [string, bigint, bigint, Uint8Array[], Uint8Array, Uint8Array][] = [
    ['first - 1', first - 1n, second, proof, firstRoot, secondRoot],
    ['first + 1', first + 1n, second, proof, firstRoot, secondRoot],
    ['first ^ 2', first ^ 2n, second, proof, firstRoot, secondRoot],
    ['second * 2', first, second * 2n, proof, firstRoot, secondRoot],
    ['second / 2', first, second / 2n, proof, firstRoot, secondRoot],
    ['wrong first root', first, second, proof, wrong, secondRoot],
    ['wrong second root', first, second, proof, firstRoot, wrong],
    ['swapped roots', first, second, proof, secondRoot, firstRoot],
    ['empty proof', first, second, [], firstRoot, secondRoot],
    ['trailing garbage', first, second, [...proof, new Uint8Array(0)], firstRoot, secondRoot],
    ['trailing first root', first, second, [...proof, firstRoot], firstRoot, secondRoot],
    ['trailing second root', first, second, [...proof, secondRoot], firstRoot, secondRoot],
    ['preceding garbage', first, second, [new Uint8Array(0), ...proof], firstRoot, secondRoot],
    ['preceding first root', first, second, [firstRoot, ...proof], firstRoot, secondRoot],
    ['preceding second root', first, second, [secondRoot, ...proof], firstRoot, secondRoot],
    ['preceding proof[0]', first, second, [proof[0], ...proof], firstRoot, secondRoot],
  ];
  if (proof.length > 0) probes.push(['truncated proof', first, second, proof.slice(0, -1), firstRoot, secondRoot]);
  proof.forEach((_, i) => probes.push([`proof[${i}] bit 4 flipped`, first, second, proof.map((p, j) => (j === i ? flip(p, 16) : p)), firstRoot, secondRoot]));
  return probes;
}

describe('the Merkle tree (RFC 9162 §2.1)', () => {
  it('hashes leaves and nodes with the 0x00 and 0x01 prefixes, and the empty tree as SHA-256 of nothing', () => {
    expect(hex(EMPTY_ROOT)).toBe(createHash('sha256').digest('hex'));
    expect(hex(leafHash(leaves[1]))).toBe(createHash('sha256').update(Buffer.from([0, 0])).digest('hex'));
    expect(hex(nodeHash(leafHash(leaves[0]), leafHash(leaves[1])))).toBe(
      createHash('sha256').update(Buffer.from([1])).update(leafHash(leaves[0])).update(leafHash(leaves[1])).digest('hex'),
    );
  });

  it.each(roots.map((root, i) => [i + 1, root] as const))('reproduces the known root of the first %i test leaves, incrementally and at every past size', async (size, root) => {
    const frontier = new MerkleFrontier();
    for (const leaf of leaves.slice(0, size)) frontier.append(leafHash(leaf));
    expect(hex(frontier.root())).toBe(hex(root));
    expect(hex(await rootAtSize(treeOf(8), BigInt(size)))).toBe(hex(root));
  });

  it('agrees with the recursive definition for every size up to 300', () => {
    const hashes: Uint8Array[] = [];
    const frontier = new MerkleFrontier();
    for (let n = 1; n <= 300; n++) {
      const leaf = leafHash(Buffer.from(`leaf ${n}`));
      hashes.push(leaf);
      frontier.append(leaf);
      expect(hex(frontier.root())).toBe(hex(referenceRoot(hashes)));
    }
  });

  it.each(inclusionVectors)('produces and verifies the known inclusion proof of leaf $leaf in a tree of $size', async ({ leaf, size, proof }) => {
    const index = BigInt(leaf - 1);
    const produced = await inclusionProof(treeOf(8), index, BigInt(size));
    expect(produced.map(hex)).toEqual(proof);
    expect(verifyInclusion(index, BigInt(size), leafHash(leaves[leaf - 1]), proof.map(dh), roots[size - 1])).toBe(true);
  });

  it.each(inclusionVectors)('refuses every corruption of the inclusion proof of leaf $leaf in a tree of $size', ({ leaf, size, proof }) => {
    const probes = corruptedInclusions(BigInt(leaf - 1), BigInt(size), proof.map(dh), roots[size - 1], leafHash(leaves[leaf - 1]));
    const accepted = probes.filter(([, i, n, l, p, r]) => verifyInclusion(i, n, l, p, r)).map(([why]) => why);
    expect(accepted).toEqual([]);
  });

  it('proves a single-leaf tree with an empty proof and nothing else', () => {
    const leaf = leafHash(Buffer.from('data'));
    expect(verifyInclusion(0n, 1n, leaf, [], leaf)).toBe(true);
    expect(verifyInclusion(0n, 1n, new Uint8Array(0), [], leaf)).toBe(false);
    expect(verifyInclusion(0n, 1n, leaf, [], new Uint8Array(0))).toBe(false);
    for (const [index, size] of [[0n, 0n], [1n, 0n], [2n, 1n]]) expect(rootFromInclusionProof(index, size, someHash, [])).toBeNull();
  });

  it.each(consistencyVectors)('produces and verifies the known consistency proof from $first to $second leaves', async ({ first, second, proof }) => {
    const produced = await consistencyProof(treeOf(8), BigInt(first), BigInt(second));
    expect(produced.map(hex)).toEqual(proof);
    expect(verifyConsistency(BigInt(first), BigInt(second), proof.map(dh), roots[first - 1], roots[second - 1])).toBe(true);
  });

  it.each(consistencyVectors)('refuses every corruption of the consistency proof from $first to $second leaves', ({ first, second, proof }) => {
    const probes = corruptedConsistencies(BigInt(first), BigInt(second), proof.map(dh), roots[first - 1], roots[second - 1]);
    const accepted = probes.filter(([, m, n, p, a, b]) => verifyConsistency(m, n, p, a, b)).map(([why]) => why);
    expect(accepted).toEqual([]);
  });

  it('treats equal sizes and an empty first tree as RFC 9162 and transparency-dev do', () => {
    const [a, b] = [someHash, EMPTY_ROOT];
    expect(verifyConsistency(1n, 1n, [], a, a)).toBe(true);
    expect(verifyConsistency(1n, 1n, [], a, b)).toBe(false);
    expect(verifyConsistency(1n, 1n, [b], a, a)).toBe(false);
    expect(verifyConsistency(0n, 1n, [], a, b)).toBe(true);
    expect(verifyConsistency(0n, 1n, [b], b, b)).toBe(false);
    expect(verifyConsistency(2n, 1n, [], a, b)).toBe(false);
    expect(verifyConsistency(1n, 2n, [], a, b)).toBe(false);
  });

  it('splits proofs along RFC 9162 subtrees (transparency-dev proof_test tree of 7 leaves)', () => {
    const spans = (ranges: { start: bigint; end: bigint }[]) => ranges.map((r) => [Number(r.start), Number(r.end)]);
    expect(spans(inclusionProofRanges(0n, 7n))).toEqual([[1, 2], [2, 4], [4, 7]]);
    expect(spans(inclusionProofRanges(6n, 7n))).toEqual([[4, 6], [0, 4]]);
    expect(spans(inclusionProofRanges(3n, 5n))).toEqual([[2, 3], [0, 2], [4, 5]]);
    expect(spans(consistencyProofRanges(5n, 7n))).toEqual([[4, 5], [5, 6], [6, 7], [0, 4]]);
    expect(spans(consistencyProofRanges(3n, 7n))).toEqual([[2, 3], [3, 4], [0, 2], [4, 7]]);
    expect(spans(consistencyProofRanges(4n, 7n))).toEqual([[4, 7]]);
    expect(() => inclusionProofRanges(7n, 7n)).toThrow(/not in a tree/);
    expect(() => consistencyProofRanges(8n, 7n)).toThrow(/no consistency proof/);
  });

  it('proves every leaf and every older size of trees up to 70 leaves', async () => {
    const tree = treeOf(70);
    for (let size = 1n; size <= 70n; size++) {
      const root = await rootAtSize(tree, size);
      for (let index = 0n; index < size; index++) {
        expect(verifyInclusion(index, size, tree.leaf(index), await inclusionProof(tree, index, size), root)).toBe(true);
      }
      for (let first = 1n; first <= size; first++) {
        expect(verifyConsistency(first, size, await consistencyProof(tree, first, size), await rootAtSize(tree, first), root)).toBe(true);
      }
    }
  });
});
