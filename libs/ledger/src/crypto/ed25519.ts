import { createPrivateKey, createPublicKey, createHash, KeyObject, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import * as ed from '@noble/ed25519';
import { WeakKeyError } from '../errors';

// @noble/ed25519 needs a synchronous SHA-512 for its sync API; Node's is native.
ed.hashes.sha512 = (message: Uint8Array) => new Uint8Array(createHash('sha512').update(message).digest());

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The order of the Ed25519 base point: a canonical S is below it (RFC 8032 §5.1.7). */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const P = 2n ** 255n - 19n;

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

/**
 * True when the 32 bytes encode a y coordinate below p. Only y ≥ 2^255 − 19 is non-canonical, and
 * every such encoding has 0x7f in its top byte (sign bit cleared), so nearly every call returns at once.
 */
function isCanonicalPointEncoding(bytes: Uint8Array): boolean {
  if ((bytes[31] & 0x7f) !== 0x7f) return true;
  const copy = Uint8Array.from(bytes);
  copy[31] &= 0x7f;
  return littleEndian(copy) < P;
}

/** S < L (RFC 8032 §5.1.7); L's top byte is 0x10, so the comparison is decided there for almost every S. */
function isCanonicalScalar(bytes: Uint8Array): boolean {
  const top = bytes[31];
  if (top < 0x10) return true;
  if (top > 0x10) return false;
  return littleEndian(bytes) < L;
}

export function generateSecretKey(): Uint8Array {
  return ed.utils.randomSecretKey();
}

export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return ed.getPublicKey(secretKey);
}

/**
 * Refuses public keys that strict verification (LEDGER-SPEC §2) forbids: non-canonical
 * encodings (y ≥ p, or x = 0 with the sign bit set), points not on the curve, and points of small order.
 */
export function assertStrongPublicKey(publicKey: Uint8Array): void {
  if (publicKey.length !== 32) throw new WeakKeyError('an Ed25519 public key is 32 bytes');
  if (!isCanonicalPointEncoding(publicKey)) throw new WeakKeyError('non-canonical public key encoding');
  let point: ed.Point;
  try {
    point = ed.Point.fromBytes(publicKey, false);
  } catch {
    throw new WeakKeyError('public key is not a canonically encoded point on Ed25519');
  }
  if (point.isSmallOrder()) throw new WeakKeyError('public key is of small order');
}

export function isStrongPublicKey(publicKey: Uint8Array): boolean {
  try {
    assertStrongPublicKey(publicKey);
    return true;
  } catch {
    return false;
  }
}

/** A key that signs with Node's native Ed25519; the secret stays inside the KeyObject. */
export function nativeSigningKey(secretKey: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, secretKey]), format: 'der', type: 'pkcs8' });
}

export function signNative(key: KeyObject, message: Uint8Array): Uint8Array {
  return new Uint8Array(nodeSign(null, message, key));
}

/** A public key as Node wants it, or null when strict verification refuses the key itself. */
type VerifyingKey = KeyObject | null;
const verifyingKeys = new Map<string, VerifyingKey>();

function nativeVerifyingKey(publicKey: Uint8Array): VerifyingKey {
  const id = Buffer.from(publicKey.buffer, publicKey.byteOffset, 32).toString('latin1');
  let key = verifyingKeys.get(id);
  if (key === undefined) {
    key = isStrongPublicKey(publicKey) ? createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' }) : null;
    if (verifyingKeys.size > 10_000) verifyingKeys.clear();
    verifyingKeys.set(id, key);
  }
  return key;
}

/**
 * Strict verification on the fast path: Node's native (OpenSSL) Ed25519, which checks the
 * cofactorless equation [S]B = R + [k]A, plus what RFC 8032 strictness adds and OpenSSL does not
 * promise: a strong key (canonical, not of small order; checked once per key), S < L, and a canonical R.
 */
export function verifyNative(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  if (!isCanonicalScalar(signature.subarray(32)) || !isCanonicalPointEncoding(signature.subarray(0, 32))) return false;
  const key = nativeVerifyingKey(publicKey);
  return key !== null && nodeVerify(null, message, key, signature);
}

/**
 * The portable reference: @noble/ed25519 in its RFC 8032 strict mode (canonical A and R, S < L,
 * small-order keys refused). noble checks the cofactored equation, which RFC 8032 §5.1.7 allows
 * as an alternative; the cofactorless one is required here too, so that the reference and the
 * native path give the same verdict on every input, including keys and R with a torsion component.
 */
export function verifyReference(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32 || !isStrongPublicKey(publicKey)) return false;
  try {
    return ed.verify(signature, message, publicKey, { zip215: false }) && cofactorlessEquationHolds(publicKey, message, signature);
  } catch {
    return false;
  }
}

function cofactorlessEquationHolds(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const A = ed.Point.fromBytes(publicKey, false);
  const R = ed.Point.fromBytes(signature.subarray(0, 32), false);
  const S = littleEndian(signature.subarray(32));
  const k = littleEndian(createHash('sha512').update(signature.subarray(0, 32)).update(publicKey).update(message).digest()) % L;
  return ed.Point.BASE.multiplyUnsafe(S).equals(R.add(A.multiplyUnsafe(k)));
}

export function signReference(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  return ed.sign(message, secretKey);
}
