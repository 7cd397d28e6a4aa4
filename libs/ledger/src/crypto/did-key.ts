import { MalformedError } from '../errors';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const ED25519_MULTICODEC = [0xed, 0x01];

function base58btcEncode(bytes: Uint8Array): string {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = '1' + out;
  }
  return out;
}

function base58btcDecode(text: string): Uint8Array {
  let n = 0n;
  for (const c of text) {
    const digit = ALPHABET.indexOf(c);
    if (digit < 0) throw new MalformedError(`"${c}" is not a base58btc digit`);
    n = n * 58n + BigInt(digit);
  }
  const bytes: number[] = [];
  while (n > 0n) {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  for (const c of text) {
    if (c !== '1') break;
    bytes.unshift(0);
  }
  return Uint8Array.from(bytes);
}

/** `did:key` of an Ed25519 public key (LEDGER-SPEC §2): always starts `did:key:z6Mk`. */
export function didKeyFromPublicKey(publicKey: Uint8Array): string {
  if (publicKey.length !== 32) throw new MalformedError('an Ed25519 public key is 32 bytes');
  return `did:key:z${base58btcEncode(Uint8Array.from([...ED25519_MULTICODEC, ...publicKey]))}`;
}

const decoded = new Map<string, Uint8Array>();

/** The 32-byte public key of an Ed25519 `did:key`; refuses any other key type or encoding. */
export function publicKeyFromDidKey(did: string): Uint8Array {
  const cached = decoded.get(did);
  if (cached) return cached;
  if (!did.startsWith('did:key:z6Mk')) throw new MalformedError(`"${did}" is not an Ed25519 did:key`);
  const bytes = base58btcDecode(did.slice('did:key:z'.length));
  if (bytes.length !== 34 || bytes[0] !== 0xed || bytes[1] !== 0x01) {
    throw new MalformedError(`"${did}" is not an Ed25519 did:key`);
  }
  const key = bytes.slice(2);
  if (didKeyFromPublicKey(key) !== did) throw new MalformedError(`"${did}" is not canonically encoded`);
  if (decoded.size > 10_000) decoded.clear();
  decoded.set(did, key);
  return key;
}
