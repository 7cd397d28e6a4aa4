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

/** True when the 32 bytes encode a y coordinate below p (a canonical point encoding). */
function isCanonicalPointEncoding(bytes: Uint8Array): boolean {
  const copy = Uint8Array.from(bytes);
  copy[31] &= 0x7f;
  return littleEndian(copy) < P;
}

export function generateSecretKey(): Uint8Array {
  return ed.utils.randomSecretKey();
}

export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return ed.getPublicKey(secretKey);
}

/**
 * Refuses public keys that strict verification (LEDGER-SPEC §2) forbids: non-canonical
 * encodings, points not on the curve, and points of small order.
 */
export function assertStrongPublicKey(publicKey: Uint8Array): void {
  if (publicKey.length !== 32) throw new WeakKeyError('an Ed25519 public key is 32 bytes');
  if (!isCanonicalPointEncoding(publicKey)) throw new WeakKeyError('non-canonical public key encoding');
  let point: ed.Point;
  try {
    point = ed.Point.fromBytes(publicKey, false);
  } catch {
    throw new WeakKeyError('public key is not a point on Ed25519');
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

const publicKeyObjects = new Map<string, KeyObject>();

function nativePublicKey(publicKey: Uint8Array): KeyObject {
  const id = Buffer.from(publicKey).toString('hex');
  let key = publicKeyObjects.get(id);
  if (!key) {
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
    if (publicKeyObjects.size > 10_000) publicKeyObjects.clear();
    publicKeyObjects.set(id, key);
  }
  return key;
}

/**
 * Strict verification on the fast path: Node's native (OpenSSL) Ed25519 plus the checks
 * that RFC 8032 strictness adds and OpenSSL does not promise: S < L and a canonical R.
 * The key itself must have passed `assertStrongPublicKey` (callers check it once per key).
 */
export function verifyNative(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  if (littleEndian(signature.subarray(32)) >= L) return false;
  if (!isCanonicalPointEncoding(signature.subarray(0, 32))) return false;
  return nodeVerify(null, message, nativePublicKey(publicKey), signature);
}

/** The portable reference: @noble/ed25519 in its RFC 8032 strict mode, plus the small-order key check. */
export function verifyReference(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!isStrongPublicKey(publicKey)) return false;
  try {
    return ed.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

export function signReference(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  return ed.sign(message, secretKey);
}
