import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  arbiterJson,
  arbiterOrThrow,
  Bundle,
  BundleEntry,
  chainsOf,
  checkpointLines,
  copy,
  editRecordText,
  flipBitOfSignature,
  middleOfALongChain,
  resignedByAStranger,
  startArbiter,
  withAnotherRoot,
} from './bundles';
import { compileVerifier, removeBuild, verifyBundle } from './java-verifier';

// Real ledgers written by our CLI, exported by our CLI, verified by the Java verifier that was
// written from LEDGER-SPEC alone: when it accepts, the bytes follow the spec.
describe('ledgers our CLI writes and exports, checked by the independent Java verifier', () => {
  let build: string;
  let work: string;
  let data: string;
  let trust: string;
  let ledgerEntries: number;
  let all: Bundle;
  let allPath: string;
  let one: Bundle;
  let onePath: string;
  let customer: string;
  let target: BundleEntry;

  const at = (entry: BundleEntry) => ({ chain: entry.record.chain, seq: entry.record.seq, leaf: entry.leaf });
  const write = (name: string, content: Bundle | string) => {
    const path = join(work, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const verify = (path: string, witnessDir?: string) => verifyBundle(build, path, trust, witnessDir);
  const codes = (failures: { code: string }[]) => [...new Set(failures.map((f) => f.code))].sort();
  const demo = (dir: string, ...args: string[]) => arbiterJson('demo', '--data', dir, '--json', ...args);
  const exportAll = (dir: string, out: string) => {
    arbiterOrThrow('audit', 'export', '--data', dir, '--all', '--out', out);
    return JSON.parse(readFileSync(out, 'utf8')) as Bundle;
  };

  beforeAll(() => {
    build = compileVerifier();
    work = mkdtempSync(join(tmpdir(), 'arbiter-conformance-'));
    data = join(work, 'ledger');
    const report = demo(data, '--events', '300');
    trust = readFileSync(join(data, 'keys', 'root.did'), 'utf8').trim();
    ledgerEntries = report.ledger.entries;
    allPath = join(work, 'all.json');
    all = exportAll(data, allPath);
    target = middleOfALongChain(all);
    customer = target.record.chain.slice('decisions-'.length);
    onePath = join(work, 'one.json');
    arbiterOrThrow('audit', 'export', '--data', data, '--customer', customer, '--out', onePath);
    one = JSON.parse(readFileSync(onePath, 'utf8')) as Bundle;
  }, 600_000);

  afterAll(() => {
    removeBuild(build);
    rmSync(work, { recursive: true, force: true });
  });

  describe('bundles as exported', () => {
    it('accepts the whole-ledger bundle: exit 0, ok, and counts that match what the bundle holds', () => {
      const { status, report } = verify(allPath);
      expect(report.failures).toEqual([]);
      expect(status).toBe(0);
      expect(report.ok).toBe(true);
      expect(report.entries).toBe(all.entries.length);
      expect(report.entries).toBe(ledgerEntries);
      expect(report.chains).toBe(chainsOf(all).length);
      const { size, root } = checkpointLines(all.checkpoint);
      expect(report.checkpoint).toEqual({ size, root });
      expect(size).toBeGreaterThanOrEqual(all.entries.length);
    });

    it("accepts a one-customer bundle holding the chains keys, policies and the customer's decisions from seq 0", () => {
      const { status, report } = verify(onePath);
      expect(report.failures).toEqual([]);
      expect(status).toBe(0);
      expect(chainsOf(one).sort()).toEqual(['keys', 'policies', `decisions-${customer}`].sort());
      expect(report.entries).toBe(one.entries.length);
      expect(report.chains).toBe(3);
      expect(report.checkpoint).toEqual({ size: checkpointLines(one.checkpoint).size, root: checkpointLines(one.checkpoint).root });
    });
  });

  describe('tampered bundles', () => {
    it('refuses an edited payload as hash-mismatch and bad-signature at that entry', () => {
      const bundle = copy(all);
      const entry = bundle.entries.find((e) => e.leaf === target.leaf)!;
      entry.record.body.trigger = { ...entry.record.body.trigger, source: '/somewhere/else' };
      const { status, report } = verify(write('edited.json', bundle));
      expect(status).toBe(1);
      expect(report.ok).toBe(false);
      expect(report.failures).toContainEqual(expect.objectContaining({ code: 'hash-mismatch', ...at(target) }));
      expect(report.failures).toContainEqual(expect.objectContaining({ code: 'bad-signature', ...at(target) }));
    });

    it('refuses a flipped signature bit as bad-signature at that entry, and nothing else', () => {
      const bundle = copy(all);
      const entry = bundle.entries.find((e) => e.leaf === target.leaf)!;
      entry.record.sig = flipBitOfSignature(entry.record.sig);
      const { status, report } = verify(write('flipped.json', bundle));
      expect(status).toBe(1);
      expect(report.failures).toEqual([expect.objectContaining({ code: 'bad-signature', ...at(target) })]);
    });

    it('refuses a bundle with a middle entry removed as seq-gap where its chain skips', () => {
      const bundle = copy(all);
      bundle.entries = bundle.entries.filter((e) => e.leaf !== target.leaf);
      const next = all.entries.find((e) => e.record.chain === target.record.chain && e.record.seq === target.record.seq + 1)!;
      const { status, report } = verify(write('removed.json', bundle));
      expect(status).toBe(1);
      expect(report.failures).toContainEqual(expect.objectContaining({ code: 'seq-gap', ...at(next) }));
    });

    it('refuses a bundle that omits inclusion proofs and lacks its last leaves as truncated', () => {
      const bundle = copy(all);
      bundle.entries = bundle.entries.slice(0, -3).map(({ leaf, record }) => ({ leaf, record }));
      const { status, report } = verify(write('truncated.json', bundle));
      expect(status).toBe(1);
      expect(codes(report.failures)).toContain('truncated');
    });

    it('refuses a checkpoint whose root hash was altered as checkpoint-signature', () => {
      const bundle = copy(all);
      bundle.checkpoint = withAnotherRoot(bundle.checkpoint);
      const { status, report } = verify(write('altered-checkpoint.json', bundle));
      expect(status).toBe(1);
      expect(codes(report.failures)).toContain('checkpoint-signature');
    });

    it('refuses a checkpoint signed under the same key name by a key the root never registered as checkpoint-signature', () => {
      const bundle = copy(all);
      bundle.checkpoint = resignedByAStranger(bundle.checkpoint);
      const { status, report } = verify(write('forged-checkpoint.json', bundle));
      expect(status).toBe(1);
      expect(report.failures).toEqual([expect.objectContaining({ code: 'checkpoint-signature' })]);
    });

    it('refuses a record with a duplicate member name as malformed at that entry, though the duplicate repeats the same value', () => {
      const text = editRecordText(all, target, (record) => record.replace('{', `{"chain":${JSON.stringify(target.record.chain)},`));
      const { status, report } = verify(write('duplicate-member.json', text));
      expect(status).toBe(1);
      expect(report.failures).toEqual([expect.objectContaining({ code: 'malformed', ...at(target) })]);
      expect(report.failures[0].message).toContain('duplicate member name');
    });

    it('refuses a non-integer number in a record as malformed at that entry', () => {
      const text = editRecordText(all, target, (record) => record.replace('"v":1', '"v":1.0'));
      const { status, report } = verify(write('non-integer.json', text));
      expect(status).toBe(1);
      expect(codes(report.failures)).toEqual(['malformed']);
      expect(report.failures).toContainEqual(expect.objectContaining({ code: 'malformed', ...at(target), message: expect.stringContaining('non-integer') }));
    });

    it("refuses an altered inclusion proof in the one-customer bundle as inclusion-proof at that entry", () => {
      const bundle = copy(one);
      const entry = bundle.entries.find((e) => e.record.chain === target.record.chain && (e.proof ?? []).length > 0)!;
      const hash = Buffer.from(entry.proof![0], 'base64');
      hash[0] ^= 0x80;
      entry.proof![0] = hash.toString('base64');
      const { status, report } = verify(write('altered-proof.json', bundle));
      expect(status).toBe(1);
      expect(report.failures).toEqual([expect.objectContaining({ code: 'inclusion-proof', ...at(entry) })]);
    });
  });

  describe('entries the demo alone does not write', () => {
    it('accepts a ledger after a key rotation and a human review, with the revocation, the new registration and the review in it', async () => {
      const dir = join(work, 'rotated-and-reviewed');
      demo(dir, '--events', '300');
      const rotation = arbiterJson('keys', 'rotate', '--name', 'reasoner', '--data', dir, '--json');
      demo(dir, '--events', '120', '--seed', '9');
      const arbiterApp = await startArbiter(dir);
      let reviewed: string;
      try {
        const pending = arbiterJson('reviews', 'list', '--url', arbiterApp.url, '--data', dir, '--json').reviews;
        expect(pending.length).toBeGreaterThan(0);
        reviewed = pending[0].decisionId;
        arbiterOrThrow('reviews', 'approve', reviewed, '--url', arbiterApp.url, '--data', dir, '--reviewer', 'ops-anna', '--note', 'carrier scan checked: “delivered” ✓', '--json');
      } finally {
        await arbiterApp.stop();
      }
      const bundle = exportAll(dir, join(work, 'rotated-and-reviewed.json'));
      const keyActions = bundle.entries.filter((e) => e.record.type === 'key').map((e) => [e.record.body.action, e.record.body.key]);
      expect(keyActions).toContainEqual(['revoke', rotation.previous]);
      expect(keyActions).toContainEqual(['register', rotation.next]);
      expect(bundle.entries.filter((e) => e.record.type === 'decision').map((e) => e.record.signer)).toContain(rotation.next);
      expect(bundle.entries.filter((e) => e.record.type === 'review').map((e) => e.record.body.decisionId)).toContain(reviewed!);

      const { status, report } = verifyBundle(build, join(work, 'rotated-and-reviewed.json'), readFileSync(join(dir, 'keys', 'root.did'), 'utf8').trim());
      expect(report.failures).toEqual([]);
      expect(status).toBe(0);
      expect(report.entries).toBe(bundle.entries.length);
    }, 600_000);
  });

  describe('witness state (--witness-dir)', () => {
    it('keeps the checkpoint it verified, accepts a later one that extends it, and refuses the earlier one then as a rollback', () => {
      const witness = mkdtempSync(join(work, 'witness-'));
      expect(verify(allPath, witness).report.witness).toMatchObject({ state: 'first' });
      demo(data, '--events', '120', '--seed', '7');
      const later = exportAll(data, join(work, 'all-later.json'));
      expect(checkpointLines(later.checkpoint).size).toBeGreaterThan(checkpointLines(all.checkpoint).size);

      const extended = verify(join(work, 'all-later.json'), witness);
      expect(extended.report.failures).toEqual([]);
      expect(extended.report.witness).toMatchObject({ state: 'extended', witnessedSize: checkpointLines(all.checkpoint).size });

      const rolledBack = verify(allPath, witness);
      expect(rolledBack.status).toBe(1);
      expect(rolledBack.report.failures).toEqual([expect.objectContaining({ code: 'rollback' })]);
    }, 300_000);

    it('accepts a larger checkpoint on the consistency proof our gateway serves, and refuses an altered proof as a fork', async () => {
      const dir = join(work, 'grown');
      demo(dir, '--events', '300');
      const earlier = join(work, 'grown-earlier.json');
      arbiterOrThrow('audit', 'export', '--data', dir, '--customer', customer, '--out', earlier);
      const trustHere = readFileSync(join(dir, 'keys', 'root.did'), 'utf8').trim();
      const witness = mkdtempSync(join(work, 'witness-'));
      expect(verifyBundle(build, earlier, trustHere, witness).report.witness).toMatchObject({ state: 'first' });

      demo(dir, '--events', '120', '--seed', '5');
      const later = join(work, 'grown-later.json');
      arbiterOrThrow('audit', 'export', '--data', dir, '--customer', customer, '--out', later);
      const from = checkpointLines(JSON.parse(readFileSync(earlier, 'utf8')).checkpoint).size;
      const to = checkpointLines(JSON.parse(readFileSync(later, 'utf8')).checkpoint).size;
      expect(to).toBeGreaterThan(from);
      const unproven = verifyBundle(build, later, trustHere, witness);
      expect(unproven.report).toMatchObject({ ok: true, witness: { state: 'unproven', witnessedSize: from } });

      const gateway = await startArbiter(dir);
      let proof: { from: number; to: number; proof: string[] };
      try {
        const apiKey = readFileSync(join(dir, 'api-key'), 'utf8').trim();
        const res = await fetch(`${gateway.url}/v1/ledger/proofs/consistency?from=${from}&to=${to}`, { headers: { authorization: `Bearer ${apiKey}` } });
        expect(res.status).toBe(200);
        proof = (await res.json()) as typeof proof;
      } finally {
        await gateway.stop();
      }
      const altered = { ...proof!, proof: [createHash('sha256').update(proof!.proof[0]).digest('base64'), ...proof!.proof.slice(1)] };
      const forkWitness = mkdtempSync(join(work, 'witness-'));
      cpSync(witness, forkWitness, { recursive: true });

      const extended = verifyBundle(build, later, trustHere, witness, write('consistency.json', JSON.stringify(proof!)));
      expect(extended.report.failures).toEqual([]);
      expect(extended.report.witness).toMatchObject({ state: 'extended', witnessedSize: from });
      const forked = verifyBundle(build, later, trustHere, forkWitness, write('consistency-altered.json', JSON.stringify(altered)));
      expect(forked.status).toBe(1);
      expect(forked.report.failures).toEqual([expect.objectContaining({ code: 'fork' })]);
    }, 600_000);

    it("refuses another ledger's checkpoint of the same origin that does not extend the witnessed one as a fork", () => {
      const other = join(work, 'other-ledger');
      demo(other, '--events', '300');
      const otherBundle = exportAll(other, join(work, 'other.json'));
      const otherTrust = readFileSync(join(other, 'keys', 'root.did'), 'utf8').trim();
      const witness = mkdtempSync(join(work, 'witness-'));
      const ours = { path: allPath, size: checkpointLines(all.checkpoint).size, trust };
      const theirs = { path: join(work, 'other.json'), size: checkpointLines(otherBundle.checkpoint).size, trust: otherTrust };
      expect(checkpointLines(otherBundle.checkpoint).origin).toBe(checkpointLines(all.checkpoint).origin);
      // Witness the smaller first, so the second is of the same size or larger: a fork either way.
      const [first, second] = ours.size <= theirs.size ? [ours, theirs] : [theirs, ours];
      expect(verifyBundle(build, first.path, first.trust, witness).status).toBe(0);
      const forked = verifyBundle(build, second.path, second.trust, witness);
      expect(forked.status).toBe(1);
      expect(forked.report.failures).toEqual([expect.objectContaining({ code: 'fork' })]);
    }, 300_000);
  });
});
