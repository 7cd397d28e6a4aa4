import { randomBytes } from 'node:crypto';
import {
  assertStrongPublicKey, generateSecretKey, nativeSigningKey, publicKeyOf, signNative, signReference, verifyNative, verifyReference,
} from './ed25519';
import { WeakKeyError } from '../errors';

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

// RFC 8032 §7.1, TESTs 1–3.
const vectors = [
  {
    secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    public: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    public: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    secret: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    public: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature: '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
];

describe('Ed25519', () => {
  it.each(vectors.map((v, i) => [i + 1, v] as const))('reproduces RFC 8032 test %i with both implementations', (_n, v) => {
    const secret = hex(v.secret);
    expect(Buffer.from(publicKeyOf(secret)).toString('hex')).toBe(v.public);
    expect(Buffer.from(signReference(secret, hex(v.message))).toString('hex')).toBe(v.signature);
    expect(Buffer.from(signNative(nativeSigningKey(secret), hex(v.message))).toString('hex')).toBe(v.signature);
    expect(verifyNative(hex(v.public), hex(v.message), hex(v.signature))).toBe(true);
    expect(verifyReference(hex(v.public), hex(v.message), hex(v.signature))).toBe(true);
  });

  it('gives the same verdict natively and in the reference for random messages and corrupted signatures', () => {
    for (let i = 0; i < 50; i++) {
      const secret = generateSecretKey();
      const pub = publicKeyOf(secret);
      const message = randomBytes(i * 7);
      const sig = signNative(nativeSigningKey(secret), message);
      const flipped = Uint8Array.from(sig);
      flipped[i % 64] ^= 1 << i % 8;
      for (const s of [sig, flipped]) expect(verifyNative(pub, message, s)).toBe(verifyReference(pub, message, s));
    }
  });

  it('refuses a signature whose S is not below the group order, in both implementations', () => {
    const v = vectors[1];
    const sig = hex(v.signature);
    // S + L encodes the same scalar non-canonically: valid under lax rules, refused under strict ones.
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    let s = 0n;
    for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]);
    let t = s + L;
    for (let i = 32; i < 64; i++) {
      sig[i] = Number(t & 0xffn);
      t >>= 8n;
    }
    expect(verifyNative(hex(v.public), hex(v.message), sig)).toBe(false);
    expect(verifyReference(hex(v.public), hex(v.message), sig)).toBe(false);
  });

  it('refuses small-order keys, and a forgery with R = identity and S = 0 under such a key', () => {
    const identity = new Uint8Array(32);
    identity[0] = 1;
    expect(() => assertStrongPublicKey(identity)).toThrow(WeakKeyError);
    const forged = new Uint8Array(64);
    forged.set(identity, 0);
    const message = Buffer.from('pay mallory');
    expect(verifyReference(identity, message, forged)).toBe(false);
  });

  it('refuses a non-canonical key encoding', () => {
    const nonCanonical = new Uint8Array(32).fill(0xff);
    nonCanonical[31] = 0x7f;
    expect(() => assertStrongPublicKey(nonCanonical)).toThrow(WeakKeyError);
  });
});
