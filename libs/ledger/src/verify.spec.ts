import { didKeyFromPublicKey } from './crypto/did-key';
import { generateSecretKey, nativeSigningKey, publicKeyOf, signNative } from './crypto/ed25519';
import { sha256Hex, toBase64Url } from './crypto/hash';
import { canonicalize, canonicalBytes } from './json/canonical';
import { Entry, LedgerRecord, Signer, entryOf, signEntry } from './record';
import { exampleDecisionBody } from './testing';
import { LeafText, verifyRecords } from './verify';

function newSigner(name: string): Signer {
  const secret = generateSecretKey();
  const key = nativeSigningKey(secret);
  return { name, did: didKeyFromPublicKey(publicKeyOf(secret)), sign: async (m) => signNative(key, m) };
}

class LedgerBuilder {
  readonly records: LedgerRecord[] = [];
  private readonly heads = new Map<string, LedgerRecord>();
  private clock = Date.parse('2026-03-01T10:00:00.000Z');

  async add(chain: string, type: Entry['type'], body: Entry['body'], signer: Signer): Promise<LedgerRecord> {
    const prev = this.heads.get(chain);
    const record = await signEntry(
      { v: 1, ledger: 'acme', chain, seq: prev ? prev.seq + 1 : 0, prev: prev?.hash ?? null, time: new Date(this.clock++).toISOString(), type, signer: signer.did, body },
      signer,
    );
    this.records.push(record);
    this.heads.set(chain, record);
    return record;
  }
}

const leaves = (records: LedgerRecord[]): LeafText[] => records.map((r, leaf) => ({ leaf, text: canonicalize(r) }));
const codes = (report: ReturnType<typeof verifyRecords>) => report.failures.map((f) => f.code);

describe('verifying records and chains', () => {
  const root = newSigner('root');
  const reasoner = newSigner('reasoner');
  let ledger: LedgerBuilder;

  const decision = (eventId: string, refundCents = 500) => exampleDecisionBody(eventId, { type: 'refund', params: { refundCents } });

  beforeEach(async () => {
    ledger = new LedgerBuilder();
    await ledger.add('keys', 'key', { action: 'register', key: reasoner.did, name: 'reasoner', roles: ['decide'], notBefore: '2026-01-01T00:00:00.000Z', notAfter: null }, root);
    for (const id of ['e1', 'e2', 'e3']) await ledger.add('decisions-cus_1', 'decision', decision(id), reasoner);
    await ledger.add('decisions-cus_2', 'decision', decision('e4'), reasoner);
  });

  it('accepts an untouched ledger', () => {
    const report = verifyRecords(leaves(ledger.records), { trustRoot: root.did });
    expect(report).toEqual({ ok: true, entries: 5, chains: 3, checkpoint: null, failures: [] });
  });

  it('reports an edited payload as a hash mismatch', () => {
    const tampered = structuredClone(ledger.records);
    (tampered[2].body.action as { params: { refundCents: number } }).params.refundCents = 50_000;
    expect(codes(verifyRecords(leaves(tampered), { trustRoot: root.did }))).toContain('hash-mismatch');
  });

  it('reports an edited payload with a recomputed hash as a bad signature', () => {
    const tampered = structuredClone(ledger.records);
    (tampered[2].body.action as { params: { refundCents: number } }).params.refundCents = 50_000;
    tampered[2].hash = sha256Hex(canonicalBytes(entryOf(tampered[2])));
    expect(codes(verifyRecords(leaves(tampered), { trustRoot: root.did }))).toContain('bad-signature');
  });

  it('reports a flipped signature bit', () => {
    const tampered = structuredClone(ledger.records);
    const sig = Buffer.from(tampered[3].sig, 'base64url');
    sig[10] ^= 0x01;
    tampered[3].sig = toBase64Url(sig);
    expect(codes(verifyRecords(leaves(tampered), { trustRoot: root.did }))).toEqual(['bad-signature']);
  });

  it('reports an entry deleted from the middle of a chain as a gap', () => {
    const tampered = ledger.records.filter((_, i) => i !== 2);
    expect(codes(verifyRecords(leaves(tampered), { trustRoot: root.did }))).toEqual(['seq-gap']);
  });

  it('reports an entry signed by a key the root never registered', async () => {
    await ledger.add('decisions-cus_2', 'decision', decision('e5'), newSigner('intruder'));
    expect(codes(verifyRecords(leaves(ledger.records), { trustRoot: root.did }))).toEqual(['unknown-signer']);
  });

  it('reports a key used for a role it was not given', async () => {
    await ledger.add('policies', 'policy', { policyId: 'p', version: 1, digest: sha256Hex(canonicalBytes({})), document: {} }, reasoner);
    expect(codes(verifyRecords(leaves(ledger.records), { trustRoot: root.did }))).toEqual(['signer-not-valid']);
  });

  it('distrusts the whole key chain under another root', () => {
    const report = verifyRecords(leaves(ledger.records), { trustRoot: newSigner('other').did });
    expect(report.ok).toBe(false);
    expect(codes(report)).toEqual(['unknown-signer', 'unknown-signer', 'unknown-signer', 'unknown-signer', 'unknown-signer']);
  });

  it('reports a second decision for the same trigger and decision point', async () => {
    await ledger.add('decisions-cus_1', 'decision', decision('e2', 700), reasoner);
    expect(codes(verifyRecords(leaves(ledger.records), { trustRoot: root.did }))).toEqual(['duplicate-decision']);
  });

  it('reports duplicate member names and non-integer numbers as malformed', () => {
    const texts = leaves(ledger.records);
    texts[1] = { leaf: 1, text: texts[1].text.replace('{"action":', '{"action":{"type":"x","params":{}},"action":') };
    texts[2] = { leaf: 2, text: texts[2].text.replace('"refundCents":500', '"refundCents":500.0') };
    const report = verifyRecords(texts, { trustRoot: root.did });
    expect(codes(report).filter((c) => c === 'malformed')).toHaveLength(2);
    expect(report.entries).toBe(5);
  });

  it('reports an entry replayed from another ledger', async () => {
    const foreign = { ...ledger.records[4], ledger: 'other' };
    const report = verifyRecords(leaves([...ledger.records.slice(0, 4), foreign]), { trustRoot: root.did });
    expect(codes(report)).toContain('malformed');
    expect(codes(report)).toContain('hash-mismatch');
  });
});
