import { didKeyFromPublicKey } from '../crypto/did-key';
import { generateSecretKey, nativeSigningKey, publicKeyOf, signNative } from '../crypto/ed25519';
import { canonicalize } from '../json/canonical';
import { Entry, LedgerRecord, Signer, signEntry } from '../record';
import { checkLeaf } from './leaf-check';
import { scanCanonicalRecord } from './canonical-record';
import { packChecks, unpackChecks } from './packed-checks';

function newSigner(): Signer {
  const secret = generateSecretKey();
  const key = nativeSigningKey(secret);
  return { name: 'reasoner', did: didKeyFromPublicKey(publicKeyOf(secret)), sign: async (m) => signNative(key, m) };
}

const signer = newSigner();

async function record(body: Entry['body'], seq = 0): Promise<LedgerRecord> {
  return signEntry(
    { v: 1, ledger: 'acme', chain: 'decisions-cus_1', seq, prev: seq === 0 ? null : 'ab'.repeat(32), time: '2026-03-01T10:00:00.000Z', type: 'decision', signer: signer.did, body },
    signer,
  );
}

const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));
const decision = {
  decisionId: 'd-1',
  decisionPoint: 'dispute.resolution',
  trigger: { eventId: 'e-1', type: 'dispute.opened', source: '/shop/orders', digest: '0'.repeat(64) },
  verdict: { outcome: 'approved', checks: [{ check: 'amount', result: 'pass', detail: 'é ≤ € 😀 "quoted" \\ \u0001 \n' }] },
  action: { type: 'refund', params: { refundCents: -12, maxCents: 9007199254740991, zero: 0 } },
  empty: {},
  list: [],
  '\u0080': 'sorts after ASCII',
  'Z': true,
  'a\u0000b': null,
};

describe('checking one stored record', () => {
  it('reads canonical records on the fast path and reaches the strict verdict', async () => {
    const r = await record(decision);
    const text = canonicalize(r);
    expect(scanCanonicalRecord(bytes(text))).not.toBeNull();
    const { check } = checkLeaf(bytes(text));
    expect(check).toMatchObject({ malformed: null, hashOk: true, signature: 'valid', chain: 'decisions-cus_1', seq: 0, decisionKey: '"e-1" / "dispute.resolution"' });
  });

  it.each([
    ['whitespace between tokens', (t: string) => t.replace('{"body":', '{ "body" : ')],
    ['members in another order', (t: string) => t.replace(/^\{"body":(.*),"chain":("[^"]*"),/, '{"chain":$2,"body":$1,')],
    ['an escape JCS would not write', (t: string) => t.replace('"e-1"', '"\\u0065-1"')],
    ['an escaped solidus', (t: string) => t.replace('"/shop/orders"', '"\\/shop\\/orders"')],
  ])('takes non-canonical but valid I-JSON (%s) on the strict path, with the same verdict', async (_why, edit) => {
    const r = await record(decision);
    const text = edit(canonicalize(r));
    expect(text).not.toBe(canonicalize(r));
    expect(scanCanonicalRecord(bytes(text))).toBeNull();
    const { check } = checkLeaf(bytes(text));
    expect(check).toMatchObject({ malformed: null, hashOk: true, signature: 'valid', decisionKey: '"e-1" / "dispute.resolution"' });
  });

  it.each([
    ['a duplicate member name', (t: string) => t.replace('"action":', '"action":{},"action":')],
    ['a fraction', (t: string) => t.replace('"zero":0', '"zero":0.0')],
    ['an exponent', (t: string) => t.replace('"zero":0', '"zero":0e0')],
    ['an integer beyond 2^53 − 1', (t: string) => t.replace('9007199254740991', '9007199254740993')],
    ['a lone surrogate', (t: string) => t.replace('"e-1"', '"\\ud800"')],
    ['a missing field', (t: string) => t.replace(/,"time":"[^"]*"/, '')],
    ['an unknown field', (t: string) => t.replace('"v":1}', '"v":1,"w":2}')],
    ['a non-integer seq', (t: string) => t.replace('"seq":0', '"seq":0.5')],
  ])('reports %s as malformed', async (_why, edit) => {
    const text = edit(canonicalize(await record(decision)));
    expect(checkLeaf(bytes(text)).check.malformed).not.toBeNull();
  });

  it('reports bytes that are not UTF-8 as malformed, where a lenient decoder would substitute', async () => {
    const data = bytes(canonicalize(await record({ note: 'ok' })));
    const at = Buffer.from(data).indexOf('ok');
    data[at] = 0xff;
    expect(checkLeaf(data).check.malformed).toMatch(/UTF-8/);
  });

  it('keeps a malformed record in its chain, so that one fault does not cascade', async () => {
    const text = canonicalize(await record(decision, 3)).replace('"zero":0', '"zero":0.0');
    expect(checkLeaf(bytes(text)).check).toMatchObject({ chain: 'decisions-cus_1', seq: 3, signature: 'unchecked' });
  });

  it('tells an edited payload (hash mismatch) from a re-hashed one (bad signature)', async () => {
    const r = await record(decision);
    const edited = canonicalize(r).replace('"refundCents":-12', '"refundCents":-13');
    expect(checkLeaf(bytes(edited)).check).toMatchObject({ hashOk: false, signature: 'invalid' });
  });

  it('gives the same leaf hash on both paths: SHA-256(0x00 ‖ the 32 bytes of hash)', async () => {
    const r = await record(decision);
    const fast = checkLeaf(bytes(canonicalize(r)));
    const strict = checkLeaf(bytes(JSON.stringify(r, null, 1)));
    expect(Buffer.from(fast.leafHash).equals(Buffer.from(strict.leafHash))).toBe(true);
  });
});

describe('leaf checks between threads', () => {
  it('come back from their columns exactly as they went, malformed records and key bodies included', async () => {
    const good = canonicalize(await record(decision, 2));
    const key = canonicalize(
      await signEntry(
        { v: 1, ledger: 'acme', chain: 'keys', seq: 0, prev: null, time: '2026-03-01T10:00:00.000Z', type: 'key', signer: signer.did, body: { action: 'register', key: signer.did, name: 'r', roles: ['decide'], notBefore: '2026-01-01T00:00:00.000Z', notAfter: null } },
        signer,
      ),
    );
    const checks = [good, good.replace('"zero":0', '"zero":0.5'), key, 'not json'].map((t) => checkLeaf(bytes(t)).check);
    expect(unpackChecks(structuredClone(packChecks(checks)))).toEqual(checks);
  });
});
