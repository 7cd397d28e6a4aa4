import { createPublicKey, randomBytes, verify as laxNodeVerify } from 'node:crypto';
import {
  assertStrongPublicKey, generateSecretKey, nativeSigningKey, publicKeyOf, signNative, signReference, verifyNative, verifyReference,
} from './ed25519';
import { WeakKeyError } from '../errors';
import { canonicalBytes } from '../json/canonical';

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

// RFC 8032 §7.1, TESTs 1–3.
const rfc8032 = [
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

/**
 * The twelve edge cases of "Taming the many EdDSAs" (Chalkias, Garillot, Nikolaenko, SSR 2020),
 * as published in novifinancial/ed25519-speccheck cases.txt, with the verdict strict verification
 * must give: small-order A (0, 1), R or A with a torsion component accepted only when the
 * cofactorless equation holds (2, 3 pass; 4, 5 pass only cofactored), S ≥ L (6, 7), non-canonical
 * R (8, 9) and non-canonical A (10, 11).
 */
const speccheck: { msg: string; pub: string; sig: string; accept: boolean; why: string }[] = [
  { why: 'S = 0, small-order A and R', accept: false, msg: '8c93255d71dcab10e8f379c26200f3c7bd5f09d9bc3068d3ef4edeb4853022b6', pub: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', sig: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a0000000000000000000000000000000000000000000000000000000000000000' },
  { why: 'small-order A, mixed-order R', accept: false, msg: '9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79', pub: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', sig: 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04' },
  { why: 'mixed-order A, small-order R, cofactorless equation holds', accept: true, msg: 'aebf3f2601a0c8c5d39cc7d8911642f740b78168218da8471772b35f9d35b9ab', pub: 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43', sig: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa8c4bd45aecaca5b24fb97bc10ac27ac8751a7dfe1baff8b953ec9f5833ca260e' },
  { why: 'mixed-order A and R, both equations hold', accept: true, msg: '9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79', pub: 'cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d', sig: '9046a64750444938de19f227bb80485e92b83fdb4b6506c160484c016cc1852f87909e14428a7a1d62e9f22f3d3ad7802db02eb2e688b6c52fcd6648a98bd009' },
  { why: 'mixed-order A and R, only the cofactored equation holds', accept: false, msg: 'e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c', pub: 'cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d', sig: '160a1cb0dc9c0258cd0a7d23e94d8fa878bcb1925f2c64246b2dee1796bed5125ec6bc982a269b723e0668e540911a9a6a58921d6925e434ab10aa7940551a09' },
  { why: 'mixed-order A, prime-order R, only the cofactored equation holds', accept: false, msg: 'e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c', pub: 'cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d', sig: '21122a84e0b5fca4052f5b1235c80a537878b38f3142356b2c2384ebad4668b7e40bc836dac0f71076f9abe3a53f9c03c1ceeeddb658d0030494ace586687405' },
  { why: 'S ≥ L', accept: false, msg: '85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40', pub: '442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623', sig: 'e96f66be976d82e60150baecff9906684aebb1ef181f67a7189ac78ea23b6c0e547f7690a0e2ddcd04d87dbc3490dc19b3b3052f7ff0538cb68afb369ba3a514' },
  { why: 'S far above L', accept: false, msg: '85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40', pub: '442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623', sig: '8ce5b96c8f26d0ab6c47958c9e68b937104cd36e13c33566acd2fe8d38aa19427e71f98a473474f2f13f06f97c20d58cc3f54b8bd0d272f42b695dd7e89a8c22' },
  { why: 'non-canonical R of small order', accept: false, msg: '9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41', pub: 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43', sig: 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff03be9678ac102edcd92b0210bb34d7428d12ffc5df5f37e359941266a4e35f0f' },
  { why: 'non-canonical R', accept: false, msg: '9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41', pub: 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43', sig: 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffca8c5b64cd208982aa38d4936621a4775aa233aa0505711d8fdcfdaa943d4908' },
  { why: 'non-canonical A of small order', accept: false, msg: 'e96b7021eb39c1a163b6da4e3093dcd3f21387da4cc4572be588fafae23c155b', pub: 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', sig: 'a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04' },
  { why: 'non-canonical A, accepted by OpenSSL alone', accept: false, msg: '39a591f5321bbe07fd5a23dc2f39d025d74526615746727ceefd6e82ae65c06f', pub: 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', sig: 'a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04' },
];

/** The eight points of small order, canonically encoded (the blocklist libsodium uses). */
const smallOrderPoints = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
];

/** y ≥ p: alternative encodings of y − p, which lax decoders accept. */
const nonCanonicalEncodings = [
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
];

function laxOpenSslVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), publicKey]), format: 'der', type: 'spki' });
  return laxNodeVerify(null, message, key, signature);
}

function withScalar(signature: Uint8Array, s: bigint): Uint8Array {
  const out = Uint8Array.from(signature);
  for (let i = 32; i < 64; i++) {
    out[i] = Number(s & 0xffn);
    s >>= 8n;
  }
  return out;
}

function scalarOf(signature: Uint8Array): bigint {
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(signature[i]);
  return s;
}

describe('Ed25519', () => {
  it.each(rfc8032.map((v, i) => [i + 1, v] as const))('reproduces RFC 8032 test %i with both implementations', (_n, v) => {
    const secret = hex(v.secret);
    expect(Buffer.from(publicKeyOf(secret)).toString('hex')).toBe(v.public);
    expect(Buffer.from(signReference(secret, hex(v.message))).toString('hex')).toBe(v.signature);
    expect(Buffer.from(signNative(nativeSigningKey(secret), hex(v.message))).toString('hex')).toBe(v.signature);
    expect(verifyNative(hex(v.public), hex(v.message), hex(v.signature))).toBe(true);
    expect(verifyReference(hex(v.public), hex(v.message), hex(v.signature))).toBe(true);
  });

  it.each(speccheck.map((c, i) => [i, c.why, c] as const))('gives the strict verdict on speccheck case %i (%s) in both implementations', (_i, _why, c) => {
    expect(verifyReference(hex(c.pub), hex(c.msg), hex(c.sig))).toBe(c.accept);
    expect(verifyNative(hex(c.pub), hex(c.msg), hex(c.sig))).toBe(c.accept);
  });

  it('gives the same verdict natively and in the reference on random signed records and on their corruptions', () => {
    for (let i = 0; i < 40; i++) {
      const secret = generateSecretKey();
      const pub = publicKeyOf(secret);
      const record = canonicalBytes({ v: 1, ledger: 'acme', chain: `decisions-cus_${i}`, seq: i, body: { n: i, note: randomBytes(i * 5).toString('base64') } });
      const sig = signNative(nativeSigningKey(secret), record);
      const flippedSig = Uint8Array.from(sig);
      flippedSig[i % 64] ^= 1 << i % 8;
      const flippedRecord = Uint8Array.from(record);
      flippedRecord[i % record.length] ^= 0x20;
      expect(verifyNative(pub, record, sig)).toBe(true);
      expect(verifyReference(pub, record, sig)).toBe(true);
      for (const [message, signature] of [[record, flippedSig], [flippedRecord, sig]]) {
        expect(verifyNative(pub, message, signature)).toBe(false);
        expect(verifyReference(pub, message, signature)).toBe(false);
      }
    }
  });

  it('refuses a signature whose S is not below the group order, though S − L verifies', () => {
    const v = rfc8032[1];
    const valid = hex(v.signature);
    for (const s of [scalarOf(valid) + L, scalarOf(valid) + 2n * L, L]) {
      const sig = withScalar(valid, s);
      expect(verifyNative(hex(v.public), hex(v.message), sig)).toBe(false);
      expect(verifyReference(hex(v.public), hex(v.message), sig)).toBe(false);
    }
  });

  it.each(smallOrderPoints)('refuses the small-order key %s, and the forgery R = identity, S = 0 under it', (point) => {
    expect(() => assertStrongPublicKey(hex(point))).toThrow(WeakKeyError);
    const forged = new Uint8Array(64);
    forged[0] = 1; // R = the identity, S = 0: [0]B = R + [k]A holds whenever [k]A is the identity.
    const message = Buffer.from('pay mallory');
    expect(verifyNative(hex(point), message, forged)).toBe(false);
    expect(verifyReference(hex(point), message, forged)).toBe(false);
  });

  it('shows the identity-key forgery works against a lax verifier, which is why strictness matters', () => {
    const identity = hex(smallOrderPoints[0]);
    const forged = new Uint8Array(64);
    forged[0] = 1;
    expect(laxOpenSslVerify(identity, Buffer.from('pay mallory'), forged)).toBe(true);
    expect(verifyNative(identity, Buffer.from('pay mallory'), forged)).toBe(false);
  });

  it.each(nonCanonicalEncodings)('refuses the non-canonical key encoding %s, and signatures whose R is encoded so', (encoding) => {
    expect(() => assertStrongPublicKey(hex(encoding))).toThrow(WeakKeyError);
    const v = rfc8032[0];
    const sig = hex(v.signature);
    sig.set(hex(encoding), 0);
    expect(verifyNative(hex(v.public), hex(v.message), sig)).toBe(false);
    expect(verifyReference(hex(v.public), hex(v.message), sig)).toBe(false);
  });

  it('refuses x = 0 with the sign bit set, an encoding of the order-2 point that OpenSSL accepts', () => {
    const c = speccheck[11];
    expect(laxOpenSslVerify(hex(c.pub), hex(c.msg), hex(c.sig))).toBe(true);
    expect(() => assertStrongPublicKey(hex(c.pub))).toThrow(WeakKeyError);
  });
});
