import { createHash } from 'node:crypto';
import { verifyNative } from '../crypto/ed25519';
import { publicKeyFromDidKey } from '../crypto/did-key';
import { MalformedError } from '../errors';
import type { Signer } from '../record';

/** The C2SP signed-note signature type of Ed25519, the byte after the newline in the key id input. */
const ED25519_TYPE = 0x01;
const KEY_NAME = /^[^\s+]+$/;
const SIGNATURE_LINE = /^\u2014 (\S+) ([A-Za-z0-9+/]+={0,2})$/;
const MAX_SIGNATURES = 100;

export interface NoteSignature {
  name: string;
  keyId: Uint8Array;
  /** The signature bytes after the key id. */
  signature: Uint8Array;
}

export interface SignedNote {
  /** The signed text: every line ends in "\n". */
  text: string;
  signatures: NoteSignature[];
}

/** C2SP signed-note key id: the first 4 bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ 32-byte public key). */
export function noteKeyId(name: string, publicKey: Uint8Array): Uint8Array {
  const digest = createHash('sha256').update(name, 'utf8').update(Uint8Array.of(0x0a, ED25519_TYPE)).update(publicKey).digest();
  return new Uint8Array(digest.subarray(0, 4));
}

/** The signature line of a note: U+2014, a space, the key name, a space, base64(key id ‖ signature). */
export function signatureLine(name: string, keyId: Uint8Array, signature: Uint8Array): string {
  return `\u2014 ${name} ${Buffer.concat([keyId, signature]).toString('base64')}\n`;
}

/** Signs `text` (lines ending in "\n") as a C2SP note under the signer's name. */
export async function signNote(text: string, signer: Signer): Promise<string> {
  if (!text.endsWith('\n') || text.includes('\n\n')) throw new MalformedError('note text is non-empty lines, each ending in a newline');
  if (!KEY_NAME.test(signer.name)) throw new MalformedError(`"${signer.name}" cannot name a note key`);
  const signature = await signer.sign(Buffer.from(text, 'utf8'));
  return `${text}\n${signatureLine(signer.name, noteKeyId(signer.name, publicKeyFromDidKey(signer.did)), signature)}`;
}

/** C2SP: no ASCII control character but the newline. */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) return true;
  }
  return false;
}

function decodeBase64(text: string): Uint8Array | null {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? new Uint8Array(bytes) : null;
}

/** Splits a signed note into its text and signature lines; refuses anything C2SP does not allow. */
export function parseSignedNote(note: string): SignedNote {
  // The text may hold blank lines; the last one separates it from the signatures.
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new MalformedError('a signed note is its text, a blank line, and signature lines');
  const text = note.slice(0, split + 1);
  if (!note.isWellFormed() || hasControlCharacter(note)) throw new MalformedError('a signed note holds UTF-8 text without control characters');
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new MalformedError(`a signed note carries at most ${MAX_SIGNATURES} signatures`);
  const signatures = lines.map((line) => {
    const match = SIGNATURE_LINE.exec(line);
    const bytes = match ? decodeBase64(match[2]) : null;
    if (!match || !bytes || bytes.length < 5) throw new MalformedError(`"${line}" is not a signature line`);
    return { name: match[1], keyId: bytes.subarray(0, 4), signature: bytes.subarray(4) };
  });
  return { text, signatures };
}

/**
 * True when the note carries the named key's signature and every signature under that key's
 * name and id verifies (C2SP: a failing signature from a known key rejects the note). Signatures
 * of other keys are ignored.
 */
export function noteSignedBy(note: SignedNote, name: string, publicKey: Uint8Array): boolean {
  const keyId = noteKeyId(name, publicKey);
  const message = Buffer.from(note.text, 'utf8');
  const ours = note.signatures.filter((s) => s.name === name && Buffer.compare(s.keyId, keyId) === 0);
  return ours.length > 0 && ours.every((s) => s.signature.length === 64 && verifyNative(publicKey, message, s.signature));
}
