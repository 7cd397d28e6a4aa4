import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileVerifier, removeBuild, runJava, Run, VECTORS } from './java-verifier';

interface Result {
  group: string;
  name: string;
  ok: boolean;
  detail: string;
}

const vectors = (file: string) => JSON.parse(readFileSync(join(VECTORS, file), 'utf8'));

describe('the independent Java verifier, piece by piece, against published vectors', () => {
  let build: string;
  let run: Run;
  let results: Result[];

  beforeAll(() => {
    build = compileVerifier();
    run = runJava(build, 'arbiter.conformance.SelfTest', [VECTORS]);
    results = (JSON.parse(run.stdout) as { results: Result[] }).results;
  }, 120_000);

  afterAll(() => removeBuild(build));

  const group = (name: string) => results.filter((r) => r.group === name);
  const failing = (name: string) => group(name).filter((r) => !r.ok);

  it('reproduces every RFC 8032 §7.1 vector: the public key from the secret, the signature, strict verification, and refusal of tampering and S + L', () => {
    const { vectors: rfc8032 } = vectors('ed25519-rfc8032.json');
    expect(group('ed25519-rfc8032')).toHaveLength(rfc8032.length * 6);
    expect(failing('ed25519-rfc8032')).toEqual([]);
  });

  it('refuses keys of small order, forgeries under them, and non-canonical encodings of A and R', () => {
    const { points } = vectors('ed25519-small-order.json');
    expect(group('ed25519-strict')).toHaveLength(points.length + 4);
    expect(failing('ed25519-strict')).toEqual([]);
  });

  it('canonicalises as RFC 8785: every Appendix B number, the §3.2.2 sample to the §3.2.4 bytes, names sorted by UTF-16 code units, and its string escapes', () => {
    const { numbers } = vectors('jcs-rfc8785.json');
    expect(group('jcs-rfc8785')).toHaveLength(numbers.length + 3);
    expect(failing('jcs-rfc8785')).toEqual([]);
  });

  it('reads I-JSON strictly: duplicate names at any depth, non-integers, integers beyond ±(2^53−1), lone surrogates and noncharacters are refused', () => {
    const names = group('i-json').map((r) => r.name);
    for (const rule of ['duplicate member name', 'non-integer', 'beyond', 'lone surrogate', 'noncharacter', 'is accepted', 'not JSON', 'not UTF-8']) {
      expect(names.some((n) => n.includes(rule))).toBe(true);
    }
    expect(failing('i-json')).toEqual([]);
  });

  it('encodes and decodes did:key as base58btc of 0xed 0x01 and the key, and refuses other codecs, lengths and alphabets', () => {
    const { keys } = vectors('did-key.json');
    expect(group('did-key')).toHaveLength(keys.length * 2 + 4);
    expect(failing('did-key')).toEqual([]);
  });

  it('computes RFC 9162 tree hashes and verifies inclusion and consistency proofs computed independently, refusing altered ones', () => {
    const { trees } = vectors('merkle-rfc9162.json');
    const expected = trees.reduce((n: number, t: { size: number }) => n + (t.size > 0 ? 5 : 1), 0);
    expect(group('merkle-rfc9162')).toHaveLength(expected);
    expect(failing('merkle-rfc9162')).toEqual([]);
  });

  it('verifies the C2SP signed-note example, derives its key id by the key id rule and reproduces its signature line', () => {
    expect(group('c2sp-signed-note')).toHaveLength(5);
    expect(failing('c2sp-signed-note')).toEqual([]);
  });

  it('reads checkpoints in the three-line tlog-checkpoint form and refuses other forms', () => {
    expect(group('checkpoint').length).toBeGreaterThanOrEqual(8);
    expect(failing('checkpoint')).toEqual([]);
  });

  it('exits 0 only because every check holds', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
