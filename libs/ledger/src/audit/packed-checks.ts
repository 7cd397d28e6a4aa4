import type { Json } from '../json/canonical';
import type { LeafCheck, ReviewedDecision, SignatureVerdict } from './leaf-check';

/**
 * A batch of leaf checks as columns, for the trip from a worker thread back to the auditor:
 * structured cloning then copies each value once, not each member name of every object.
 */
export interface PackedChecks {
  ledger: Interned;
  chain: (string | null)[];
  prev: (string | null)[];
  hash: (string | null)[];
  time: (string | null)[];
  type: Interned;
  signer: Interned;
  decisionKey: (string | null)[];
  /** NaN for none. */
  seq: Float64Array;
  /** Bit 0: hashOk; bits 1–2: the signature verdict; bit 3: a policy digest that is not its document's. */
  flags: Uint8Array;
  /** Only records that have them: why they are malformed, key bodies, and the decisions reviews name. */
  malformed: [number, string][];
  keyBody: [number, Json][];
  reviewOf: [number, ReviewedDecision][];
}

const VERDICTS: SignatureVerdict[] = ['valid', 'invalid', 'weak-key', 'unchecked'];
const NONE = 0xffff;

/** A column of few distinct values (ledger ids, entry types, signers): each sent once, then by index. */
interface Interned {
  values: string[];
  index: Uint16Array;
}

function intern(n: number): { column: Interned; put: (i: number, value: string | null) => void } {
  const column: Interned = { values: [], index: new Uint16Array(n) };
  const seen = new Map<string, number>();
  const put = (i: number, value: string | null) => {
    if (value === null) return void (column.index[i] = NONE);
    let at = seen.get(value);
    if (at === undefined && column.values.length < NONE) {
      at = column.values.push(value) - 1;
      seen.set(value, at);
    }
    column.index[i] = at ?? NONE;
  };
  return { column, put };
}

const lookup = (column: Interned, i: number): string | null => (column.index[i] === NONE ? null : column.values[column.index[i]]);

export function packChecks(checks: LeafCheck[]): PackedChecks {
  const n = checks.length;
  const ledger = intern(n);
  const type = intern(n);
  const signer = intern(n);
  const packed: PackedChecks = {
    ledger: ledger.column, chain: new Array(n), prev: new Array(n), hash: new Array(n), time: new Array(n), type: type.column, signer: signer.column,
    decisionKey: new Array(n), seq: new Float64Array(n), flags: new Uint8Array(n), malformed: [], keyBody: [], reviewOf: [],
  };
  for (let i = 0; i < n; i++) {
    const c = checks[i];
    ledger.put(i, c.ledger);
    packed.chain[i] = c.chain;
    packed.prev[i] = c.prev;
    packed.hash[i] = c.hash;
    packed.time[i] = c.time;
    type.put(i, c.type);
    signer.put(i, c.signer);
    packed.decisionKey[i] = c.decisionKey;
    packed.seq[i] = c.seq ?? NaN;
    packed.flags[i] = (c.hashOk ? 1 : 0) | (VERDICTS.indexOf(c.signature) << 1) | (c.policyDigestOk ? 0 : 8);
    if (c.malformed !== null) packed.malformed.push([i, c.malformed]);
    if (c.keyBody !== null) packed.keyBody.push([i, c.keyBody]);
    if (c.reviewOf !== null) packed.reviewOf.push([i, c.reviewOf]);
  }
  return packed;
}

export function unpackChecks(p: PackedChecks): LeafCheck[] {
  const n = p.flags.length;
  const checks = new Array<LeafCheck>(n);
  for (let i = 0; i < n; i++) {
    checks[i] = {
      malformed: null,
      ledger: lookup(p.ledger, i),
      chain: p.chain[i],
      seq: Number.isNaN(p.seq[i]) ? null : p.seq[i],
      prev: p.prev[i],
      hash: p.hash[i],
      time: p.time[i],
      type: lookup(p.type, i),
      signer: lookup(p.signer, i),
      decisionKey: p.decisionKey[i],
      keyBody: null,
      reviewOf: null,
      hashOk: (p.flags[i] & 1) === 1,
      policyDigestOk: (p.flags[i] & 8) === 0,
      signature: VERDICTS[(p.flags[i] >> 1) & 3],
    };
  }
  for (const [i, message] of p.malformed) checks[i].malformed = message;
  for (const [i, body] of p.keyBody) checks[i].keyBody = body;
  for (const [i, review] of p.reviewOf) checks[i].reviewOf = review;
  return checks;
}
