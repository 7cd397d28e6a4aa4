import { canonicalBytes, canonicalize, canonicalizeWith, Json } from './json/canonical';
import { parseStrictJson } from './json/strict-json';
import { sha256Hex, toBase64Url } from './crypto/hash';
import { MalformedError } from './errors';

export const LEDGER_FORMAT_VERSION = 1;
export const ENTRY_TYPES = ['decision', 'review', 'key', 'policy'] as const;
export type EntryType = (typeof ENTRY_TYPES)[number];

/** Every field of an entry is signed (LEDGER-SPEC §1). */
export interface Entry {
  v: 1;
  ledger: string;
  chain: string;
  seq: number;
  prev: string | null;
  time: string;
  type: EntryType;
  signer: string;
  body: { [key: string]: Json };
}

/** An entry with its `hash` and `sig`: what is stored, exported and verified. */
export interface LedgerRecord extends Entry {
  hash: string;
  sig: string;
}

/** Something that signs with a key it never hands out. */
export interface Signer {
  readonly name: string;
  readonly did: string;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

export const LEDGER_ID = /^[a-z0-9][a-z0-9._-]{0,62}$/;
export const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const SIG = /^[A-Za-z0-9_-]{86}$/;

/** 64 lowercase hex digits, checked without a regular expression: the verifier asks it several times per record. */
export function isHex64(s: string): boolean {
  if (s.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}
const RECORD_FIELDS = ['body', 'chain', 'hash', 'ledger', 'prev', 'seq', 'sig', 'signer', 'time', 'type', 'v'];

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * A `time` as LEDGER-SPEC §1 writes it, naming an instant that exists: the digits in the fixed
 * form, and a month, day, hour, minute and second of the proleptic Gregorian calendar. Date.parse
 * alone would take 2026-02-30 for 2 March; no ledger writer can have written such a time.
 */
export function isLedgerTime(s: unknown): s is string {
  if (typeof s !== 'string' || !TIME.test(s)) return false;
  const d = (i: number) => s.charCodeAt(i) - 0x30;
  const year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
  const month = d(5) * 10 + d(6);
  const day = d(8) * 10 + d(9);
  if (month < 1 || month > 12 || day < 1 || d(11) * 10 + d(12) > 23 || d(14) > 5 || d(17) > 5) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]);
}

/** Ledger time: UTC with milliseconds, as the spec's `time` field requires. */
export function ledgerTime(date: Date): string {
  return date.toISOString();
}

export function signingInput(entry: Entry): Uint8Array {
  return canonicalBytes(entry);
}

export async function signEntry(entry: Entry, signer: Signer): Promise<LedgerRecord> {
  return (await signEntryToText(entry, signer)).record;
}

/**
 * Signs an entry, and gives the record with its canonical text (what a store keeps). The body,
 * most of a record's bytes, is written in canonical form once for both.
 */
export async function signEntryToText(entry: Entry, signer: Signer): Promise<{ record: LedgerRecord; text: string }> {
  if (entry.signer !== signer.did) throw new MalformedError('entry.signer must be the did:key of the signing key');
  const written = { body: canonicalize(entry.body) };
  const input = Buffer.from(canonicalizeWith(entry as unknown as Record<string, unknown>, written), 'utf8');
  const sig = await signer.sign(input);
  const record: LedgerRecord = { ...entry, hash: sha256Hex(input), sig: toBase64Url(sig) };
  return { record, text: canonicalizeWith(record as unknown as Record<string, unknown>, written) };
}

/** Splits a record into its entry (the signed part) and its hash and signature. */
export function entryOf(record: LedgerRecord): Entry {
  const { hash: _hash, sig: _sig, ...entry } = record;
  return entry;
}

/** Checks the shape LEDGER-SPEC §1 requires; returns the problems, empty when there are none. */
export function recordShapeProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['a record is a JSON object'];
  const r = value as Record<string, unknown>;
  const problems: string[] = [];
  const keys = Object.keys(r).sort();
  for (const k of keys) if (!RECORD_FIELDS.includes(k)) problems.push(`unknown field "${k}"`);
  for (const k of RECORD_FIELDS) if (!(k in r)) problems.push(`missing field "${k}"`);
  if (problems.length) return problems;
  if (r.v !== LEDGER_FORMAT_VERSION) problems.push(`v must be 1`);
  if (typeof r.ledger !== 'string' || !LEDGER_ID.test(r.ledger)) problems.push('ledger is not a valid ledger id');
  if (typeof r.chain !== 'string' || r.chain.length === 0) problems.push('chain must be a non-empty string');
  if (typeof r.seq !== 'number' || !Number.isSafeInteger(r.seq) || r.seq < 0) problems.push('seq must be an integer ≥ 0');
  // Whether prev is the right one for its seq (null at seq 0) is a question of the chain: broken-link.
  if (r.prev !== null && (typeof r.prev !== 'string' || !isHex64(r.prev))) problems.push('prev must be null or a lowercase hex SHA-256');
  if (!isLedgerTime(r.time)) problems.push(`time ${JSON.stringify(r.time)} is not a UTC time YYYY-MM-DDTHH:MM:SS.sssZ that exists`);
  if (!ENTRY_TYPES.includes(r.type as EntryType)) problems.push(`type "${String(r.type)}" is not one of ${ENTRY_TYPES.join(', ')}`);
  if (typeof r.signer !== 'string' || !r.signer.startsWith('did:key:z6Mk')) problems.push('signer is not an Ed25519 did:key');
  if (typeof r.body !== 'object' || r.body === null || Array.isArray(r.body)) problems.push('body must be an object');
  if (typeof r.hash !== 'string' || !isHex64(r.hash)) problems.push('hash must be 64 lowercase hex digits');
  if (typeof r.sig !== 'string' || !SIG.test(r.sig)) problems.push('sig must be unpadded base64url of 64 bytes');
  return problems;
}

/** Parses a record's JSON text under the verifier's strict rules; throws MalformedError. */
export function parseRecord(text: string): LedgerRecord {
  const value = parseStrictJson(text);
  const problems = recordShapeProblems(value);
  if (problems.length) throw new MalformedError(problems.join('; '));
  return value as unknown as LedgerRecord;
}

/**
 * Reads back a record this system wrote to its own store, for projections and the relay: the
 * shape is checked, but not the JSON's strictness (the verifier's job, with parseRecord) —
 * a plain JSON.parse is several times faster on the hot path of every decision.
 */
export function readStoredRecord(text: string): LedgerRecord {
  const value: unknown = JSON.parse(text);
  const problems = recordShapeProblems(value);
  if (problems.length) throw new MalformedError(problems.join('; '));
  return value as LedgerRecord;
}
