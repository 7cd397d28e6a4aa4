import { didKeyFromPublicKey, publicKeyFromDidKey } from '../crypto/did-key';
import { generateSecretKey, nativeSigningKey, publicKeyOf, signNative } from '../crypto/ed25519';
import { MalformedError } from '../errors';
import { EMPTY_ROOT } from '../merkle/tree-hash';
import type { Signer } from '../record';
import { checkpointOrigin, checkpointText, parseCheckpoint, signCheckpoint } from './checkpoint';
import { noteKeyId, noteSignedBy, parseSignedNote, signNote } from './signed-note';

function signerFromSeed(name: string, seed: Uint8Array): Signer {
  const key = nativeSigningKey(seed);
  return { name, did: didKeyFromPublicKey(publicKeyOf(seed)), sign: async (m) => signNative(key, m) };
}

// golang.org/x/mod/sumdb/note's test key and note (note_test.go): "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEK…"
// holds 0x01 ‖ seed, "PeterNeumann+c74f20a3+ARpc…" holds 0x01 ‖ public key.
const peterSeed = new Uint8Array(Buffer.from('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz', 'base64').subarray(1));
const peterPublic = new Uint8Array(Buffer.from('ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'base64').subarray(1));
const peterText = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const peterNote = `${peterText}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

describe('C2SP signed notes', () => {
  it('computes the key id as SHA-256(name ‖ LF ‖ 0x01 ‖ key)[:4], as the Go note package does', () => {
    expect(Buffer.from(publicKeyOf(peterSeed)).equals(Buffer.from(peterPublic))).toBe(true);
    expect(Buffer.from(noteKeyId('PeterNeumann', peterPublic)).toString('hex')).toBe('c74f20a3');
  });

  it('signs a note byte for byte as the Go note package does, with the U+2014 signature line', async () => {
    expect(await signNote(peterText, signerFromSeed('PeterNeumann', peterSeed))).toBe(peterNote);
  });

  it('accepts the known note under its key, and ignores signatures of unknown keys', () => {
    const enochLine = '\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';
    expect(noteSignedBy(parseSignedNote(peterNote + enochLine), 'PeterNeumann', peterPublic)).toBe(true);
    expect(noteSignedBy(parseSignedNote(peterNote), 'EnochRoot', peterPublic)).toBe(false);
  });

  it('rejects the note when a signature under the known key fails, even next to a good one', () => {
    const bad = peterNote.replace('x08go/ZJ', 'x08go/ZK');
    const both = `${peterNote}${bad.slice(bad.lastIndexOf('\u2014'))}`;
    expect(noteSignedBy(parseSignedNote(bad), 'PeterNeumann', peterPublic)).toBe(false);
    expect(noteSignedBy(parseSignedNote(both), 'PeterNeumann', peterPublic)).toBe(false);
  });

  it.each([
    ['no signature block', peterText],
    ['no signature line', `${peterText}\n`],
    ['a missing final newline', peterNote.slice(0, -1)],
    ['a control character', `\u0001${peterNote}`],
    ['a name with a space', peterNote.replace('PeterNeumann', 'Peter Neumann')],
    ['a line after the signatures', `${peterNote}Unexpected line.\n`],
    ['a signature that is not base64', peterNote.replace('x08go', 'x08g!')],
    ['too many signatures', `${peterText}\n${peterNote.slice(peterText.length + 1).repeat(101)}`],
  ])('refuses a note with %s', (_why, note) => {
    expect(() => parseSignedNote(note)).toThrow(MalformedError);
  });
});

describe('checkpoints (LEDGER-SPEC §5)', () => {
  const signer = signerFromSeed('notary', generateSecretKey());
  const root = new Uint8Array(32).fill(7);

  it('writes the three lines of the tlog-checkpoint form and signs exactly those bytes', async () => {
    const body = { origin: checkpointOrigin('acme'), size: 1200n, root };
    const text = checkpointText(body);
    expect(text).toBe(`arbiter.ledger/acme\n1200\n${Buffer.from(root).toString('base64')}\n`);
    const note = await signCheckpoint(body, signer);
    expect(note.startsWith(`${text}\n\u2014 notary `)).toBe(true);
    const parsed = parseCheckpoint(note);
    expect(parsed).toMatchObject({ origin: 'arbiter.ledger/acme', ledger: 'acme', size: 1200n });
    expect(Buffer.from(parsed.root).equals(Buffer.from(root))).toBe(true);
    const publicKey = publicKeyOf(generateSecretKey());
    expect(noteSignedBy(parsed.signed, 'notary', publicKey)).toBe(false);
  });

  it('verifies under the signing key and no other, and not once the size is changed', async () => {
    const note = await signCheckpoint({ origin: checkpointOrigin('acme'), size: 5n, root }, signer);
    const key = publicKeyFromDidKey(signer.did);
    expect(noteSignedBy(parseCheckpoint(note).signed, 'notary', key)).toBe(true);
    expect(noteSignedBy(parseCheckpoint(note.replace('\n5\n', '\n6\n')).signed, 'notary', key)).toBe(false);
    expect(noteSignedBy(parseCheckpoint(note).signed, 'other', key)).toBe(false);
  });

  it.each([
    ['another origin', (t: string) => t.replace('arbiter.ledger/acme', 'example.com/log')],
    ['a size with a leading zero', (t: string) => t.replace('\n5\n', '\n05\n')],
    ['a root of 31 bytes', (t: string) => t.replace(Buffer.from(new Uint8Array(32).fill(7)).toString('base64'), Buffer.from(new Uint8Array(31).fill(7)).toString('base64'))],
    ['unpadded base64', (t: string) => t.replace('Bwc=\n', 'Bwc\n')],
    ['an extension line', (t: string) => t.replace('=\n\n', '=\nextra\n\n')],
  ])('refuses a checkpoint with %s', async (_why, mutate) => {
    const note = await signCheckpoint({ origin: checkpointOrigin('acme'), size: 5n, root }, signer);
    expect(() => parseCheckpoint(mutate(note))).toThrow(MalformedError);
  });

  it('accepts an empty tree only with the empty root', async () => {
    const empty = await signCheckpoint({ origin: checkpointOrigin('acme'), size: 0n, root: EMPTY_ROOT }, signer);
    expect(parseCheckpoint(empty).size).toBe(0n);
    const wrong = await signCheckpoint({ origin: checkpointOrigin('acme'), size: 0n, root }, signer);
    expect(() => parseCheckpoint(wrong)).toThrow(MalformedError);
  });
});
