import { didKeyFromPublicKey } from '../crypto/did-key';
import { generateSecretKey, nativeSigningKey, publicKeyOf, signNative } from '../crypto/ed25519';
import { sha256Hex } from '../crypto/hash';
import { canonicalBytes, canonicalize } from '../json/canonical';
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

async function record(body: Entry['body'], seq = 0, entry: Partial<Entry> = {}): Promise<LedgerRecord> {
  return signEntry(
    { v: 1, ledger: 'acme', chain: 'decisions-cus_1', seq, prev: seq === 0 ? null : 'ab'.repeat(32), time: '2026-03-01T10:00:00.000Z', type: 'decision', signer: signer.did, body, ...entry },
    signer,
  );
}

const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));
const decision: Entry['body'] = {
  decisionId: '6f1c2a52-9d3b-5e7a-8c41-0b2d3e4f5a6b',
  decisionPoint: 'dispute.resolution',
  trigger: { eventId: 'e-1', type: 'dispute.opened', source: '/shop/orders', digest: '0'.repeat(64) },
  policy: { id: 'disputes', version: 3, digest: '1'.repeat(64) },
  context: { memoryDigest: '2'.repeat(64), memory: { orders: [{ id: 'o-1' }] } },
  reasoner: { kind: 'model', model: 'fixture', promptDigest: '3'.repeat(64) },
  proposal: { type: 'refund', params: { refundCents: -12 } },
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

/**
 * A record holding `raw` where its body holds the placeholder string, hashed and signed over its
 * bytes: what a writer that skipped canonicalize's refusals could have stored.
 */
async function signedWithRaw(body: Entry['body'], placeholder: string, raw: string): Promise<string> {
  const r = await record(body);
  const { hash: _hash, sig: _sig, ...entry } = r;
  const input = Buffer.from(canonicalize(entry).replace(placeholder, raw), 'utf8');
  const sig = Buffer.from(await signer.sign(input)).toString('base64url');
  return canonicalize({ ...r, hash: sha256Hex(input), sig }).replace(placeholder, raw);
}

const without = (body: Entry['body'], name: string) => Object.fromEntries(Object.entries(body).filter(([k]) => k !== name));
const policyBody = (document: Entry['body'], digest = sha256Hex(canonicalBytes(document))) => ({ policyId: 'disputes', version: 3, digest, document });

describe('judging an entry by what LEDGER-SPEC §2–§4 require of it', () => {
  it.each([
    ['a decisionId that is not a UUID', { ...decision, decisionId: 'd-1' }, /body\.decisionId is not a UUID/],
    ['no trigger at all', without(decision, 'trigger'), /body\.trigger is missing or not an object/],
    ['a trigger without its digest', { ...decision, trigger: { eventId: 'e-1', type: 'dispute.opened', source: '/shop/orders' } }, /body\.trigger\.digest is not a lowercase hex SHA-256/],
    ['an empty decisionPoint', { ...decision, decisionPoint: '' }, /body\.decisionPoint is missing or not a non-empty string/],
    ['no policy', without(decision, 'policy'), /body\.policy is missing/],
    ['no proposal member', without(decision, 'proposal'), /missing member "body\.proposal"/],
    ['an outcome §4 does not list', { ...decision, verdict: { outcome: 'maybe', checks: [] } }, /body\.verdict\.outcome is not one of/],
    ['action null with outcome approved', { ...decision, action: null }, /body\.action is null but the outcome is approved, not escalated/],
    ['an action without params', { ...decision, action: { type: 'refund' } }, /missing member "body\.action\.params"/],
  ])('reports a decision with %s as malformed, canonical bytes and all', async (_why, body, message) => {
    const text = canonicalize(await record(body));
    expect(scanCanonicalRecord(bytes(text))).not.toBeNull();
    expect(checkLeaf(bytes(text)).check.malformed).toMatch(message);
    expect(checkLeaf(bytes(JSON.stringify(JSON.parse(text), null, 1))).check.malformed).toMatch(message);
  });

  it('accepts a decision with action null while it is escalated, and without the optional reasoner members', async () => {
    const escalated = { ...decision, verdict: { outcome: 'escalated', checks: [] }, action: null, reasoner: { kind: 'heuristic' } };
    expect(checkLeaf(bytes(canonicalize(await record(escalated)))).check).toMatchObject({ malformed: null, hashOk: true, signature: 'valid' });
  });

  it('reports a policy entry in a decisions chain as malformed: §3 keeps policies in chain policies', async () => {
    const text = canonicalize(await record(policyBody({ refundLimitCents: 5000 }), 0, { type: 'policy' }));
    expect(checkLeaf(bytes(text)).check.malformed).toMatch(/an entry of type policy does not belong in chain decisions-cus_1/);
  });

  it('reports a decision in chain policies, and a key entry outside chain keys, as malformed', async () => {
    expect(checkLeaf(bytes(canonicalize(await record(decision, 0, { chain: 'policies' })))).check.malformed).toMatch(/type decision does not belong in chain policies/);
    const key = { action: 'register', key: signer.did, name: 'r', roles: ['decide'], notBefore: '2026-01-01T00:00:00.000Z', notAfter: null };
    expect(checkLeaf(bytes(canonicalize(await record(key, 0, { type: 'key' })))).check.malformed).toMatch(/type key does not belong in chain decisions-cus_1/);
  });

  it('checks a policy digest against its document, signed or not: a mismatch is the policy\'s, not the record\'s', async () => {
    const good = await record(policyBody({ refundLimitCents: 5000 }), 0, { type: 'policy', chain: 'policies' });
    const bad = await record(policyBody({ refundLimitCents: 5000 }, sha256Hex(canonicalBytes({ refundLimitCents: 9000 }))), 0, { type: 'policy', chain: 'policies' });
    expect(checkLeaf(bytes(canonicalize(good))).check).toMatchObject({ malformed: null, hashOk: true, signature: 'valid', policyDigestOk: true });
    expect(checkLeaf(bytes(canonicalize(bad))).check).toMatchObject({ malformed: null, hashOk: true, signature: 'valid', policyDigestOk: false });
    expect(checkLeaf(bytes(JSON.stringify(bad, null, 1))).check).toMatchObject({ malformed: null, policyDigestOk: false });
  });

  it('reads the decision a review names, for the ordered checks', async () => {
    const review = { decision: { chain: 'decisions-cus_1', seq: 0, hash: 'cd'.repeat(32) }, reviewer: 'ops-anna', verdict: 'approve', action: null, note: '' };
    const text = canonicalize(await record(review, 1, { type: 'review' }));
    expect(checkLeaf(bytes(text)).check).toMatchObject({ malformed: null, reviewOf: { chain: 'decisions-cus_1', seq: 0, hash: 'cd'.repeat(32) } });
    expect(checkLeaf(bytes(canonicalize(await record({ ...review, verdict: 'perhaps' }, 1, { type: 'review' })))).check.malformed).toMatch(/body\.verdict is not one of approve, override, reject/);
  });

  it.each([
    ['U+FFFF', '\uffff'],
    ['U+FDD0', '\ufdd0'],
    ['U+10FFFF', '\udbff\udfff'],
  ])('reports a validly signed decision holding the noncharacter %s as malformed, written as it is or escaped', async (name, char) => {
    const raw = await signedWithRaw({ ...decision, note: 'NONCHARACTER' }, 'NONCHARACTER', `pay ${char} now`);
    expect(checkLeaf(bytes(raw)).check.malformed).toMatch(`string has the noncharacter ${name}`);
    const escaped = raw.replace(char, char.split('').map((c) => `\\u${c.charCodeAt(0).toString(16)}`).join(''));
    expect(escaped).not.toBe(raw);
    expect(checkLeaf(bytes(escaped)).check.malformed).toMatch(`string has the noncharacter ${name}`);
  });

  it('takes the characters next to the noncharacters on the fast path', async () => {
    const text = canonicalize(await record({ ...decision, note: '\ufdcf\ufdf0\ufffd\ud83f\udffd' }));
    expect(scanCanonicalRecord(bytes(text))).not.toBeNull();
    expect(checkLeaf(bytes(text)).check).toMatchObject({ malformed: null, signature: 'valid' });
  });

  it.each(['2026-02-30T10:00:00.000Z', '2025-02-29T10:00:00.000Z', '2026-04-31T10:00:00.000Z', '2026-03-01T24:00:00.000Z', '2026-03-01T10:60:00.000Z', '2026-03-01T10:00:60.000Z', '2026-13-01T10:00:00.000Z'])(
    'reports the time %s, which names no instant, as malformed',
    async (time) => {
      expect(checkLeaf(bytes(canonicalize(await record(decision, 0, { time })))).check.malformed).toMatch(/time .* is not a UTC time/);
    },
  );

  it('accepts 29 February of a leap year', async () => {
    expect(checkLeaf(bytes(canonicalize(await record(decision, 0, { time: '2028-02-29T23:59:59.999Z' })))).check.malformed).toBeNull();
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
    const review = canonicalize(
      await record({ decision: { chain: 'decisions-cus_1', seq: 0, hash: 'cd'.repeat(32) }, reviewer: 'ops-anna', verdict: 'approve', action: null, note: 'ok' }, 1, { type: 'review' }),
    );
    const policy = canonicalize(await record(policyBody({ a: 1 }, 'ef'.repeat(32)), 0, { type: 'policy', chain: 'policies' }));
    const checks = [good, good.replace('"zero":0', '"zero":0.5'), key, review, policy, 'not json'].map((t) => checkLeaf(bytes(t)).check);
    expect(checks[3].reviewOf).not.toBeNull();
    expect(checks[4].policyDigestOk).toBe(false);
    expect(unpackChecks(structuredClone(packChecks(checks)))).toEqual(checks);
  });
});
