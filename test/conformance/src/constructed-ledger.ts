import { createHash, generateKeyPairSync, KeyObject, randomUUID, sign } from 'node:crypto';
import { Bundle, LedgerRecord } from './bundles';

// Ledgers built here, entry by entry, to put each rule of the verifier to the test with cases a
// healthy Arbiter never writes (revoked keys, keys of small order, duplicate decisions, ...).

export interface Key {
  did: string;
  raw: Buffer;
  privateKey: KeyObject | null;
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58(bytes: Buffer): string {
  let n = BigInt(`0x${bytes.toString('hex')}`);
  let out = '';
  while (n > 0n) {
    out = BASE58[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = `1${out}`;
  }
  return out;
}

const didKey = (raw: Buffer) => `did:key:z${base58(Buffer.concat([Buffer.from([0xed, 0x01]), raw]))}`;

export function newKey(): Key {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return { did: didKey(raw), raw, privateKey };
}

/** The identity point: a key of order 1, under which (R = identity, S = 0) satisfies the cofactorless equation for every message. */
export function identityKey(): Key {
  const raw = Buffer.alloc(32);
  raw[0] = 1;
  return { did: didKey(raw), raw, privateKey: null };
}

/** RFC 8785 for the values these ledgers hold: objects, arrays, strings, safe integers, booleans, null. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = value as Record<string, unknown>;
    return `{${Object.keys(members).sort().map((k) => `${JSON.stringify(k)}:${canonical(members[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();

function signWith(key: Key, message: Buffer): Buffer {
  if (key.privateKey) return sign(null, message, key.privateKey);
  const trivial = Buffer.alloc(64);
  trivial[0] = 1;
  return trivial;
}

function treeHash(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha256(Buffer.from([1]), treeHash(leaves.slice(0, k)), treeHash(leaves.slice(k)));
}

function inclusionPath(index: number, leaves: Buffer[]): Buffer[] {
  if (leaves.length <= 1) return [];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return index < k
    ? [...inclusionPath(index, leaves.slice(0, k)), treeHash(leaves.slice(k))]
    : [...inclusionPath(index - k, leaves.slice(k)), treeHash(leaves.slice(0, k))];
}

/** A record before its hash and signature: every member here is signed. */
export interface Entry {
  v: number;
  ledger: string;
  chain: string;
  seq: number;
  prev: string | null;
  time: string;
  type: string;
  signer: string;
  body: Record<string, unknown>;
  [extra: string]: unknown;
}

export class ConstructedLedger {
  readonly root = newKey();
  readonly checkpointKey = newKey();
  readonly reasoner = newKey();
  readonly operator = newKey();
  readonly records: LedgerRecord[] = [];
  private readonly heads = new Map<string, { seq: number; hash: string }>();
  private clock = Date.parse('2026-03-01T09:00:00.000Z');

  /** The keys chain, one policy, and no decisions yet. */
  constructor() {
    this.register(this.checkpointKey, 'checkpoint', ['checkpoint']);
    this.register(this.reasoner, 'reasoner', ['decide']);
    this.register(this.operator, 'operator', ['policy', 'review']);
    const document = { policyId: 'order-fulfillment', version: 1, actions: ['fulfill.ship-from'] };
    this.append('policies', 'policy', this.operator, {
      policyId: 'order-fulfillment',
      version: 1,
      digest: sha256(Buffer.from(canonical(document))).toString('hex'),
      document,
    });
  }

  now(): string {
    return new Date(this.clock).toISOString();
  }

  later(ms: number): string {
    return new Date(this.clock + ms).toISOString();
  }

  append(chain: string, type: string, signer: Key, body: Record<string, unknown>, change: (entry: Entry) => void = () => undefined): LedgerRecord {
    this.clock += 1000;
    const head = this.heads.get(chain);
    const entry: Entry = { v: 1, ledger: 'arbiter', chain, seq: head ? head.seq + 1 : 0, prev: head ? head.hash : null, time: this.now(), type, signer: signer.did, body };
    change(entry);
    const input = Buffer.from(canonical(entry));
    const record = { ...entry, hash: sha256(input).toString('hex'), sig: signWith(signer, input).toString('base64url') } as LedgerRecord;
    this.heads.set(chain, { seq: record.seq, hash: record.hash });
    this.records.push(record);
    return record;
  }

  register(key: Key, name: string, roles: string[], window: { notBefore?: string; notAfter?: string | null } = {}, signer: Key = this.root): LedgerRecord {
    return this.append('keys', 'key', signer, {
      action: 'register', key: key.did, name, roles, notBefore: window.notBefore ?? this.now(), notAfter: window.notAfter ?? null,
    });
  }

  revoke(key: Key, name: string): LedgerRecord {
    return this.append('keys', 'key', this.root, { action: 'revoke', key: key.did, name, roles: [], notBefore: this.now(), notAfter: null });
  }

  decide(customer: string, eventId: string, signer: Key = this.reasoner, change?: (entry: Entry) => void): LedgerRecord {
    const policy = this.records.find((r) => r.type === 'policy')!.body;
    return this.append(`decisions-${customer}`, 'decision', signer, {
      decisionId: randomUUID(),
      decisionPoint: 'order.fulfillment',
      trigger: { eventId, type: 'order.placed', source: '/shop/orders', digest: sha256(Buffer.from(eventId)).toString('hex') },
      policy: { id: policy.policyId, version: policy.version, digest: policy.digest },
      context: { memoryDigest: sha256(Buffer.from(customer)).toString('hex') },
      reasoner: { kind: 'heuristic' },
      proposal: { type: 'fulfill.ship-from', params: { warehouseId: 'wh-ams' } },
      verdict: { outcome: 'approved', checks: [] },
      action: { type: 'fulfill.ship-from', params: { warehouseId: 'wh-ams' } },
    }, change);
  }

  review(decision: LedgerRecord, hash: string = decision.hash): LedgerRecord {
    return this.append(decision.chain, 'review', this.operator, {
      decision: { chain: decision.chain, seq: decision.seq, hash },
      reviewer: 'ops@example.com',
      verdict: 'approve',
      action: null,
      note: '',
    });
  }

  /** A C2SP signed note over the first `size` leaves, signed as LEDGER-SPEC §5 says. */
  checkpoint(size: number = this.records.length, signer: Key = this.checkpointKey, keyName = 'checkpoint'): string {
    const text = `arbiter.ledger/arbiter\n${size}\n${treeHash(this.leafHashes().slice(0, size)).toString('base64')}\n`;
    const keyId = sha256(Buffer.from(`${keyName}\n`), Buffer.from([0x01]), signer.raw).subarray(0, 4);
    return `${text}\n\u2014 ${keyName} ${Buffer.concat([keyId, signWith(signer, Buffer.from(text))]).toString('base64')}\n`;
  }

  /** A bundle of every record; with `treeSize`, under a checkpoint of only that many leaves. */
  bundle(options: { proofs?: boolean; treeSize?: number } = {}): Bundle {
    const size = options.treeSize ?? this.records.length;
    const leaves = this.leafHashes().slice(0, size);
    return {
      format: 'arbiter.bundle/1',
      ledger: 'arbiter',
      checkpoint: this.checkpoint(size),
      entries: this.records.map((record, leaf) => ({
        leaf,
        record,
        ...(options.proofs && leaf < size ? { proof: inclusionPath(leaf, leaves).map((h) => h.toString('base64')) } : {}),
      })),
    };
  }

  private leafHashes(): Buffer[] {
    return this.records.map((r) => sha256(Buffer.from([0x00]), Buffer.from(r.hash, 'hex')));
  }
}
