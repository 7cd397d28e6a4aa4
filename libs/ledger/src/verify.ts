import { KEYS_CHAIN, ROLE_FOR_TYPE, ROLES } from './bodies';
import { publicKeyFromDidKey } from './crypto/did-key';
import { isStrongPublicKey, verifyNative } from './crypto/ed25519';
import { fromBase64Url, sha256Hex } from './crypto/hash';
import { LedgerError } from './errors';
import { canonicalBytes } from './json/canonical';
import { KeyRegistry } from './key-registry';
import { entryOf, LedgerRecord, parseRecord } from './record';

export type FailureCode =
  | 'malformed' | 'hash-mismatch' | 'bad-signature' | 'weak-key' | 'unknown-signer' | 'signer-not-valid'
  | 'seq-gap' | 'broken-link' | 'duplicate-decision' | 'checkpoint-signature' | 'root-mismatch'
  | 'inclusion-proof' | 'truncated' | 'rollback' | 'fork';

export interface Failure {
  code: FailureCode;
  chain?: string;
  seq?: number;
  leaf?: number;
  message: string;
}

/** The verification report of LEDGER-SPEC §7 (the checkpoint member comes with the notary). */
export interface VerificationReport {
  ok: boolean;
  entries: number;
  chains: number;
  checkpoint?: { size: number; root: string };
  failures: Failure[];
}

/** One leaf of the log: the stored JSON text of a record, at its index in global order. */
export interface LeafText {
  leaf: number;
  text: string;
}

export interface VerifyOptions {
  /** The operator's root `did:key`, supplied by the auditor: the only trust anchor. */
  trustRoot: string;
  /** The ledger id every entry must carry; by default, that of the first entry. */
  ledger?: string;
}

interface ChainState {
  seq: number;
  hash: string;
}

/**
 * Verifies records in global (leaf) order against LEDGER-SPEC §1–4 and reports every
 * failure it finds rather than the first. Key entries are applied before anything else so
 * that a registration's validity window, not its position, decides what a key may sign.
 */
export function verifyRecords(leaves: Iterable<LeafText>, options: VerifyOptions): VerificationReport {
  const failures: Failure[] = [];
  const parsed: { leaf: number; record: LedgerRecord }[] = [];
  let entries = 0;
  for (const { leaf, text } of leaves) {
    entries++;
    try {
      parsed.push({ leaf, record: parseRecord(text) });
    } catch (e) {
      failures.push({ code: 'malformed', leaf, message: (e as Error).message });
    }
  }

  const ledger = options.ledger ?? parsed[0]?.record.ledger;
  const registry = new KeyRegistry();
  const strongKeys = new Map<string, boolean>();
  const rootStrong = keyIsStrong(options.trustRoot, strongKeys);

  const checkSignature = (leaf: number, r: LedgerRecord): boolean => {
    const input = canonicalBytes(entryOf(r));
    if (sha256Hex(input) !== r.hash) {
      failures.push({ code: 'hash-mismatch', chain: r.chain, seq: r.seq, leaf, message: 'hash is not the SHA-256 of the signing input' });
    }
    if (!keyIsStrong(r.signer, strongKeys)) {
      failures.push({ code: 'weak-key', chain: r.chain, seq: r.seq, leaf, message: `signer ${r.signer} is not a strong Ed25519 key` });
      return false;
    }
    if (!verifyNative(publicKeyFromDidKey(r.signer), input, fromBase64Url(r.sig))) {
      failures.push({ code: 'bad-signature', chain: r.chain, seq: r.seq, leaf, message: 'signature does not verify' });
      return false;
    }
    return true;
  };

  for (const { leaf, record } of parsed) {
    if (record.chain !== KEYS_CHAIN) continue;
    if (record.type !== 'key') {
      failures.push({ code: 'malformed', chain: record.chain, seq: record.seq, leaf, message: 'chain keys holds only key entries' });
      continue;
    }
    if (record.signer !== options.trustRoot) {
      failures.push({ code: 'unknown-signer', chain: record.chain, seq: record.seq, leaf, message: 'key entries must be signed by the trusted root' });
      continue;
    }
    if (!rootStrong) continue;
    const bodyProblem = keyBodyProblem(record);
    if (bodyProblem) {
      failures.push({ code: 'malformed', chain: record.chain, seq: record.seq, leaf, message: bodyProblem });
      continue;
    }
    if (!keyIsStrong(String(record.body.key), strongKeys) && record.body.action === 'register') {
      failures.push({ code: 'weak-key', chain: record.chain, seq: record.seq, leaf, message: `registered key ${String(record.body.key)} is weak` });
    }
    if (checkSignature(leaf, record)) registry.apply(record);
  }
  if (!rootStrong) failures.push({ code: 'weak-key', message: 'the trusted root key is not a strong Ed25519 key' });

  const chains = new Map<string, ChainState>();
  const decisions = new Map<string, string>();
  for (const { leaf, record: r } of parsed) {
    const at = { chain: r.chain, seq: r.seq, leaf };
    if (ledger !== undefined && r.ledger !== ledger) {
      failures.push({ code: 'malformed', ...at, message: `entry belongs to ledger "${r.ledger}", not "${ledger}"` });
    }
    if (r.chain !== KEYS_CHAIN) {
      if (r.type === 'key') {
        failures.push({ code: 'malformed', ...at, message: 'key entries belong to chain keys' });
      } else {
        const status = registry.status(r.signer, ROLE_FOR_TYPE[r.type], r.time);
        if (status !== 'valid') {
          failures.push({ code: status, ...at, message: `${r.signer} may not sign ${r.type} entries at ${r.time}` });
        }
        checkSignature(leaf, r);
      }
    }
    const last = chains.get(r.chain);
    const expectedSeq = last ? last.seq + 1 : 0;
    if (r.seq !== expectedSeq) {
      failures.push({ code: 'seq-gap', ...at, message: `expected seq ${expectedSeq}, found ${r.seq}` });
    } else if ((last?.hash ?? null) !== r.prev) {
      failures.push({ code: 'broken-link', ...at, message: 'prev is not the hash of the previous entry' });
    }
    chains.set(r.chain, { seq: r.seq, hash: r.hash });
    if (r.type === 'decision') {
      const key = decisionKey(r);
      const earlier = decisions.get(key);
      if (earlier) failures.push({ code: 'duplicate-decision', ...at, message: `a decision for ${key} already exists at ${earlier}` });
      else decisions.set(key, `${r.chain}#${r.seq}`);
    }
  }

  return { ok: failures.length === 0, entries, chains: chains.size, failures };
}

function decisionKey(r: LedgerRecord): string {
  const trigger = r.body.trigger as { eventId?: unknown } | undefined;
  return `${String(trigger?.eventId)} / ${String(r.body.decisionPoint)}`;
}

function keyIsStrong(did: string, cache: Map<string, boolean>): boolean {
  let strong = cache.get(did);
  if (strong === undefined) {
    try {
      strong = isStrongPublicKey(publicKeyFromDidKey(did));
    } catch (e) {
      if (!(e instanceof LedgerError)) throw e;
      strong = false;
    }
    cache.set(did, strong);
  }
  return strong;
}

function keyBodyProblem(record: LedgerRecord): string | null {
  const b = record.body;
  if (b.action !== 'register' && b.action !== 'revoke') return 'key action must be register or revoke';
  if (typeof b.key !== 'string' || !b.key.startsWith('did:key:z6Mk')) return 'key must be an Ed25519 did:key';
  if (typeof b.name !== 'string' || !/^[a-z0-9._-]{1,64}$/.test(b.name)) return 'key name must match [a-z0-9._-]{1,64}';
  if (!Array.isArray(b.roles) || !b.roles.every((role) => ROLES.includes(role as never))) return 'roles must be drawn from decide, review, policy, checkpoint';
  if (typeof b.notBefore !== 'string') return 'notBefore must be a time';
  if (b.notAfter !== null && typeof b.notAfter !== 'string') return 'notAfter must be a time or null';
  return null;
}
