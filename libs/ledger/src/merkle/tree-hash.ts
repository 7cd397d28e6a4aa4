import { hash } from 'node:crypto';

export const HASH_BYTES = 32;

/** The hash of the empty tree (RFC 9162 §2.1.1): SHA-256 of nothing. */
export const EMPTY_ROOT: Uint8Array = new Uint8Array(hash('sha256', new Uint8Array(0), 'buffer'));


const hashLeaf = new Uint8Array(1 + HASH_BYTES);

/** RFC 9162 §2.1.1: leaf hash = SHA-256(0x00 ‖ input). */
export function leafHash(input: Uint8Array): Uint8Array {
  if (input.length === HASH_BYTES) {
    hashLeaf.set(input, 1);
    return hash('sha256', hashLeaf, 'buffer');
  }
  const data = new Uint8Array(input.length + 1);
  data.set(input, 1);
  return hash('sha256', data, 'buffer');
}

const node = new Uint8Array(1 + 2 * HASH_BYTES);
node[0] = 0x01;

/** RFC 9162 §2.1.1: interior node = SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  node.set(left, 1);
  node.set(right, 1 + HASH_BYTES);
  return hash('sha256', node, 'buffer');
}

export function hashesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
