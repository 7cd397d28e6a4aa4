import { hash as digest } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { publicKeyFromDidKey } from '../crypto/did-key';
import { isStrongPublicKey, verifyNative } from '../crypto/ed25519';
import { LedgerError } from '../errors';
import { canonicalBytes, canonicalize, Json } from '../json/canonical';
import { parseStrictJson } from '../json/strict-json';
import { leafHash } from '../merkle/tree-hash';
import { ENTRY_TYPES, EntryType, LEDGER_ID, entryOf, isHex64, isLedgerTime, recordShapeProblems, LedgerRecord } from '../record';
import { CanonicalRecord, canonicalSigningInput, scanCanonicalRecord } from './canonical-record';
import { bodyProblems, chainFitsType, decisionBodyProblems, didKeyProblem, entryShapeProblems, reviewedDecision } from './entry-shape';

export type SignatureVerdict = 'valid' | 'invalid' | 'weak-key' | 'unchecked';

/**
 * Everything about one record that can be checked without the rest of the ledger: its JSON,
 * shape, hash and signature. Cheap to pass between threads: strings and numbers only.
 */
export interface LeafCheck {
  /** Why the record is not a well-formed version-1 record, or null. */
  malformed: string | null;
  /** The fields; for a malformed record, whatever a lenient reading could recover (to keep chains linked). */
  ledger: string | null;
  chain: string | null;
  seq: number | null;
  prev: string | null;
  hash: string | null;
  time: string | null;
  type: string | null;
  signer: string | null;
  /** Canonical JSON of trigger.eventId and decisionPoint, for decisions: one decision per pair. */
  decisionKey: string | null;
  /** The body of a `key` entry, for the key registry. */
  keyBody: Json | null;
  /** The decision a review names (§4), whose hash must be that entry's. */
  reviewOf: ReviewedDecision | null;
  hashOk: boolean;
  /** False for a policy whose body.digest is not the SHA-256 of the JCS form of its document (§4). */
  policyDigestOk: boolean;
  signature: SignatureVerdict;
}

export interface ReviewedDecision {
  chain: string;
  seq: number;
  hash: string;
}

/** Unpadded base64url of 64 bytes: 86 characters, the last carrying 2 zero bits. */
const SIG = /^[A-Za-z0-9_-]{85}[AQgw]$/;

/** Checks one stored record and computes its leaf hash (LEDGER-SPEC §5). Never throws. */
export function checkLeaf(data: Uint8Array): { check: LeafCheck; leafHash: Uint8Array } {
  let check: LeafCheck;
  try {
    check = checkFast(data) ?? checkStrict(data);
  } catch (e) {
    check = malformed(e instanceof LedgerError || e instanceof RangeError ? e.message : String(e), data);
  }
  return { check, leafHash: leafHash(leafInput(check.hash, data)) };
}

/**
 * The leaf input is the 32 bytes of the record's `hash`. A record too broken to carry one still
 * takes a leaf (its position is a fact of the log), with the SHA-256 of its stored bytes.
 */
export function leafInput(hash: string | null, data: Uint8Array | string): Uint8Array {
  return hash !== null && isHex64(hash) ? Buffer.from(hash, 'hex') : digest('sha256', data, 'buffer');
}

/**
 * The fast path: only for a record that is already canonical and has the spec's shape, which it
 * then judges without a parse tree (decision bodies from spans; the rarer types parsed with
 * JSON.parse, exact on canonical text). Anything else is left to the strict path, which has the
 * last word and says what is wrong.
 */
function checkFast(data: Uint8Array): LeafCheck | null {
  if (!isUtf8(data)) return null;
  const r = scanCanonicalRecord(data);
  if (
    !r ||
    !LEDGER_ID.test(r.ledger) ||
    r.chain.length === 0 ||
    !Number.isSafeInteger(r.seq) ||
    r.seq < 0 ||
    (r.prev !== null && !isHex64(r.prev)) ||
    !isLedgerTime(r.time) ||
    !ENTRY_TYPES.includes(r.type as EntryType) ||
    !chainFitsType(r.chain, r.type) ||
    didKeyProblem(r.signer) !== null ||
    !isHex64(r.hash) ||
    !SIG.test(r.sig)
  ) {
    return null;
  }
  const body = r.type === 'decision' ? null : (JSON.parse(bodyText(data, r)) as { [key: string]: Json });
  if ((body ? bodyProblems(r.type, body) : decisionBodyProblems(r.decision)).length) return null;
  const input = canonicalSigningInput(data, r);
  return {
    malformed: null,
    ledger: r.ledger,
    chain: r.chain,
    seq: r.seq,
    prev: r.prev,
    hash: r.hash,
    time: r.time,
    type: r.type,
    signer: r.signer,
    decisionKey: r.type === 'decision' ? `${r.decision.json('trigger.eventId')} / ${r.decision.json('decisionPoint')}` : null,
    keyBody: r.type === 'key' ? body : null,
    reviewOf: r.type === 'review' ? reviewedDecision(body!) : null,
    hashOk: digest('sha256', input) === r.hash,
    policyDigestOk: r.type !== 'policy' || policyDigestOk(body!),
    signature: verdict(r.signer, input, r.sig),
  };
}

function bodyText(data: Uint8Array, r: CanonicalRecord): string {
  return Buffer.from(data.buffer, data.byteOffset + r.bodyStart, r.bodyEnd - r.bodyStart).toString('utf8');
}

/** §4: a policy's digest is the hex SHA-256 of the JCS form of its document. */
function policyDigestOk(body: { [key: string]: Json }): boolean {
  return digest('sha256', canonicalBytes(body.document)) === body.digest;
}

/** The strict path: any valid I-JSON layout, parsed by the strict parser and re-canonicalised. */
function checkStrict(data: Uint8Array): LeafCheck {
  if (!isUtf8(data)) return malformed('record is not UTF-8', data);
  const value = parseStrictJson(Buffer.from(data).toString('utf8'));
  const problems = recordShapeProblems(value);
  if (!problems.length) problems.push(...entryShapeProblems(value as unknown as LedgerRecord));
  if (problems.length) return malformed(problems.join('; '), data);
  const r = value as unknown as LedgerRecord;
  const input = canonicalBytes(entryOf(r));
  const trigger = r.body.trigger as { [key: string]: Json };
  return {
    malformed: null,
    ledger: r.ledger,
    chain: r.chain,
    seq: r.seq,
    prev: r.prev,
    hash: r.hash,
    time: r.time,
    type: r.type,
    signer: r.signer,
    decisionKey: r.type === 'decision' ? `${canonicalize(trigger.eventId)} / ${canonicalize(r.body.decisionPoint)}` : null,
    keyBody: r.type === 'key' ? r.body : null,
    reviewOf: r.type === 'review' ? reviewedDecision(r.body) : null,
    hashOk: digest('sha256', input) === r.hash,
    policyDigestOk: r.type !== 'policy' || policyDigestOk(r.body),
    signature: verdict(r.signer, input, r.sig),
  };
}

/** The signer's did:key has been decoded once already, by the shape check: this is a cache hit. */
function verdict(signer: string, input: Uint8Array, sig: string): SignatureVerdict {
  const publicKey = publicKeyFromDidKey(signer);
  if (!isStrongKeyCached(publicKey, signer)) return 'weak-key';
  return verifyNative(publicKey, input, Buffer.from(sig, 'base64url')) ? 'valid' : 'invalid';
}

// Weak keys fail verifyNative too; telling them apart from bad signatures needs the answer here.
const strength = new Map<string, boolean>();

function isStrongKeyCached(publicKey: Uint8Array, did: string): boolean {
  let strong = strength.get(did);
  if (strong === undefined) {
    strong = isStrongPublicKey(publicKey);
    if (strength.size > 10_000) strength.clear();
    strength.set(did, strong);
  }
  return strong;
}

/** A malformed record, with whatever JSON.parse can still say about where it sits in its chain. */
function malformed(message: string, data: Uint8Array): LeafCheck {
  let lenient: Record<string, unknown> = {};
  try {
    const value: unknown = JSON.parse(Buffer.from(data).toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) lenient = value as Record<string, unknown>;
  } catch {
    // Not even lenient JSON: nothing to recover.
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    malformed: message,
    ledger: str(lenient.ledger),
    chain: str(lenient.chain),
    seq: Number.isSafeInteger(lenient.seq) ? (lenient.seq as number) : null,
    prev: str(lenient.prev),
    hash: str(lenient.hash),
    time: str(lenient.time),
    type: str(lenient.type),
    signer: str(lenient.signer),
    decisionKey: null,
    keyBody: null,
    reviewOf: null,
    hashOk: true,
    policyDigestOk: true,
    signature: 'unchecked',
  };
}

/** What the notary needs of a stored record: its leaf hash and its place. No signature is checked here. */
export interface LedgerLeaf {
  leafHash: Uint8Array;
  chain: string | null;
  seq: number | null;
  hash: string | null;
}

/**
 * The leaf of a stored record, read leniently: the notary folds every record of the store into
 * the log, well-formed or not (judging it is the verifier's job), with the same leaf hash the
 * verifier computes.
 */
export function ledgerLeaf(data: Uint8Array | string): LedgerLeaf {
  let value: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) value = parsed as Record<string, unknown>;
  } catch {
    // Not JSON: the leaf hashes the stored bytes.
  }
  const hash = typeof value.hash === 'string' ? value.hash : null;
  return {
    leafHash: leafHash(leafInput(hash, data)),
    chain: typeof value.chain === 'string' ? value.chain : null,
    seq: Number.isSafeInteger(value.seq) ? (value.seq as number) : null,
    hash,
  };
}
