import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bundle } from './bundles';
import { ConstructedLedger, identityKey, newKey } from './constructed-ledger';
import { compileVerifier, removeBuild, runJava, verifyBundle } from './java-verifier';

// The rules of LEDGER-SPEC §2–§5 that a healthy ledger never breaks, each broken on purpose in a
// ledger built here and signed with real keys, so only the broken rule can fail.
describe('the independent verifier applies each rule of the spec', () => {
  let build: string;
  let work: string;
  let files = 0;

  beforeAll(() => {
    build = compileVerifier();
    work = mkdtempSync(join(tmpdir(), 'arbiter-conformance-rules-'));
  }, 120_000);

  afterAll(() => {
    removeBuild(build);
    rmSync(work, { recursive: true, force: true });
  });

  const verify = (ledger: ConstructedLedger, bundle: Bundle = ledger.bundle()) => {
    const path = join(work, `bundle-${files++}.json`);
    writeFileSync(path, JSON.stringify(bundle));
    return verifyBundle(build, path, ledger.root.did);
  };
  const where = (ledger: ConstructedLedger, record: { chain: string; seq: number }) => ({
    chain: record.chain,
    seq: record.seq,
    leaf: ledger.records.indexOf(ledger.records.find((r) => r.chain === record.chain && r.seq === record.seq)!),
  });

  it('accepts a well-formed ledger, with inclusion proofs and without', () => {
    const ledger = new ConstructedLedger();
    const decision = ledger.decide('cus_1', 'evt-1');
    ledger.decide('cus_2', 'evt-2');
    ledger.review(decision);
    for (const bundle of [ledger.bundle(), ledger.bundle({ proofs: true })]) {
      const { status, report } = verify(ledger, bundle);
      expect(report.failures).toEqual([]);
      expect(status).toBe(0);
      expect(report).toMatchObject({ ok: true, entries: 7, chains: 4 });
    }
  });

  it('refuses a decision signed by a key registered only for review as signer-not-valid', () => {
    const ledger = new ConstructedLedger();
    const decision = ledger.decide('cus_1', 'evt-1', ledger.operator);
    expect(verify(ledger).report.failures).toEqual([expect.objectContaining({ code: 'signer-not-valid', ...where(ledger, decision) })]);
  });

  it('refuses decisions dated before the signer’s notBefore or at its notAfter as signer-not-valid, and accepts one between', () => {
    const ledger = new ConstructedLedger();
    const windowed = newKey();
    const notBefore = ledger.later(5_000);
    const notAfter = ledger.later(7_000);
    ledger.register(windowed, 'windowed', ['decide'], { notBefore, notAfter });
    const early = ledger.decide('cus_1', 'evt-1', windowed);
    ledger.decide('cus_1', 'evt-2', windowed, (e) => (e.time = notBefore));
    const atNotAfter = ledger.decide('cus_1', 'evt-3', windowed, (e) => (e.time = notAfter));
    const { report } = verify(ledger);
    expect(report.failures).toEqual([
      expect.objectContaining({ code: 'signer-not-valid', ...where(ledger, early) }),
      expect.objectContaining({ code: 'signer-not-valid', ...where(ledger, atNotAfter) }),
    ]);
  });

  it('refuses a decision dated at or after its signer’s revocation as signer-not-valid, and accepts one dated before', () => {
    const ledger = new ConstructedLedger();
    ledger.decide('cus_1', 'evt-1');
    ledger.revoke(ledger.reasoner, 'reasoner');
    const after = ledger.decide('cus_1', 'evt-2');
    const { report } = verify(ledger);
    expect(report.failures).toEqual([expect.objectContaining({ code: 'signer-not-valid', ...where(ledger, after) })]);
  });

  it('refuses a decision signed by a key the root never registered as unknown-signer', () => {
    const ledger = new ConstructedLedger();
    const decision = ledger.decide('cus_1', 'evt-1', newKey());
    expect(verify(ledger).report.failures).toEqual([expect.objectContaining({ code: 'unknown-signer', ...where(ledger, decision) })]);
  });

  it('refuses a key registration signed by anyone but the root, and the signatures of the key it names', () => {
    const ledger = new ConstructedLedger();
    const impostor = newKey();
    const registration = ledger.register(impostor, 'impostor', ['decide'], {}, ledger.reasoner);
    const decision = ledger.decide('cus_1', 'evt-1', impostor);
    expect(verify(ledger).report.failures).toEqual([
      expect.objectContaining({ code: 'signer-not-valid', ...where(ledger, registration) }),
      expect.objectContaining({ code: 'unknown-signer', ...where(ledger, decision) }),
    ]);
  });

  it('refuses the registration of a key of small order as weak-key, and a forgery under it that the plain equation accepts', () => {
    const ledger = new ConstructedLedger();
    const weak = identityKey();
    const registration = ledger.register(weak, 'weak', ['decide']);
    const forgery = ledger.decide('cus_1', 'evt-1', weak);
    const { report } = verify(ledger);
    expect(report.failures).toContainEqual(expect.objectContaining({ code: 'weak-key', ...where(ledger, registration) }));
    expect(report.failures).toContainEqual(expect.objectContaining({ code: 'weak-key', ...where(ledger, forgery) }));
  });

  it('refuses a signature whose S is not reduced (S + L) as bad-signature', () => {
    const ledger = new ConstructedLedger();
    const decision = ledger.decide('cus_1', 'evt-1');
    const sig = Buffer.from(decision.sig, 'base64url');
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    const s = BigInt(`0x${Buffer.from(sig.subarray(32)).reverse().toString('hex')}`) + L;
    Buffer.from(s.toString(16).padStart(64, '0'), 'hex').reverse().copy(sig, 32);
    decision.sig = sig.toString('base64url');
    expect(verify(ledger).report.failures).toEqual([expect.objectContaining({ code: 'bad-signature', ...where(ledger, decision) })]);
  });

  it('refuses a second decision for the same trigger event and decision point as duplicate-decision', () => {
    const ledger = new ConstructedLedger();
    ledger.decide('cus_1', 'evt-1');
    const again = ledger.decide('cus_2', 'evt-1');
    expect(verify(ledger).report.failures).toEqual([expect.objectContaining({ code: 'duplicate-decision', ...where(ledger, again) })]);
  });

  it('refuses a signed entry whose prev is not the hash of the entry before it as broken-link', () => {
    const ledger = new ConstructedLedger();
    ledger.decide('cus_1', 'evt-1');
    const relinked = ledger.decide('cus_1', 'evt-2', ledger.reasoner, (e) => (e.prev = 'ab'.repeat(32)));
    expect(verify(ledger).report.failures).toEqual([expect.objectContaining({ code: 'broken-link', ...where(ledger, relinked) })]);
  });

  it('refuses a signed entry that skips a seq as seq-gap', () => {
    const ledger = new ConstructedLedger();
    ledger.decide('cus_1', 'evt-1');
    const skipping = ledger.decide('cus_1', 'evt-2', ledger.reasoner, (e) => (e.seq = 2));
    expect(verify(ledger).report.failures).toEqual([expect.objectContaining({ code: 'seq-gap', ...where(ledger, skipping) })]);
  });

  it('refuses a review that names its decision with another hash as broken-link', () => {
    const ledger = new ConstructedLedger();
    const decision = ledger.decide('cus_1', 'evt-1');
    const review = ledger.review(decision, 'cd'.repeat(32));
    expect(verify(ledger).report.failures).toEqual([expect.objectContaining({ code: 'broken-link', ...where(ledger, review) })]);
  });

  it('refuses a policy whose digest is not the SHA-256 of its document’s canonical form as hash-mismatch', () => {
    const ledger = new ConstructedLedger();
    const policy = ledger.append('policies', 'policy', ledger.operator, { policyId: 'p', version: 2, digest: 'ef'.repeat(32), document: { a: 1 } });
    expect(verify(ledger).report.failures).toEqual([expect.objectContaining({ code: 'hash-mismatch', ...where(ledger, policy) })]);
  });

  it('refuses a signed entry with a member §1 does not list as malformed', () => {
    const ledger = new ConstructedLedger();
    const decision = ledger.decide('cus_1', 'evt-1', ledger.reasoner, (e) => (e.comment = 'signed, but not an entry field'));
    expect(verify(ledger).report.failures).toEqual([expect.objectContaining({ code: 'malformed', ...where(ledger, decision) })]);
  });

  it('refuses a checkpoint signed by a key registered for checkpoints and since revoked as checkpoint-signature', () => {
    const ledger = new ConstructedLedger();
    ledger.decide('cus_1', 'evt-1');
    ledger.revoke(ledger.checkpointKey, 'checkpoint');
    expect(verify(ledger).report.failures).toEqual([expect.objectContaining({ code: 'checkpoint-signature' })]);
  });

  it('refuses entries beyond the checkpoint’s tree size as inclusion-proof', () => {
    const ledger = new ConstructedLedger();
    ledger.decide('cus_1', 'evt-1');
    const covered = ledger.records.length;
    const uncovered = ledger.decide('cus_1', 'evt-2');
    const { report } = verify(ledger, ledger.bundle({ proofs: true, treeSize: covered }));
    expect(report.failures).toEqual([expect.objectContaining({ code: 'inclusion-proof', ...where(ledger, uncovered) })]);
  });

  it('exits 2 on a usage or I/O error: no --trust, a trust that is not an Ed25519 did:key, a bundle it cannot read', () => {
    const ledger = new ConstructedLedger();
    const path = join(work, 'usage.json');
    writeFileSync(path, JSON.stringify(ledger.bundle()));
    expect(runJava(build, 'arbiter.conformance.Verify', ['--bundle', path]).status).toBe(2);
    expect(runJava(build, 'arbiter.conformance.Verify', ['--bundle', path, '--trust', 'did:key:z6MkNotAKey']).status).toBe(2);
    expect(runJava(build, 'arbiter.conformance.Verify', ['--bundle', join(work, 'missing.json'), '--trust', ledger.root.did]).status).toBe(2);
    expect(runJava(build, 'arbiter.conformance.Verify', ['--bundle', path, '--trust', ledger.root.did]).status).toBe(0);
  });
});
