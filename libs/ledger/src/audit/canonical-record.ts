/**
 * The verifier's fast path: one pass over a record's bytes that succeeds only when they are
 * already the RFC 8785 canonical form of a version-1 record — members in code-unit order, no
 * whitespace, integers only, the shortest escapes. Canonical text is strict I-JSON by
 * construction (no duplicate names, no fractions, no lone surrogates; the scan refuses
 * noncharacters), so a record that passes needs no parse tree: its signing input is its own bytes
 * without the `hash` and `sig` members, and the body members a decision check reads are spans of
 * them. Anything else returns null and takes the strict parser, which says exactly what is wrong.
 */
import { DECISION_FIELDS, DecisionField, DecisionView, Kind, StringFormat } from './entry-shape';

/** Where things are in a canonical record's bytes. Spans are [start, end) byte offsets. */
export interface CanonicalRecord {
  chain: string;
  hash: string;
  ledger: string;
  prev: string | null;
  seq: number;
  sig: string;
  signer: string;
  time: string;
  type: string;
  bodyStart: number;
  bodyEnd: number;
  /** The members of the body a decision check reads (DECISION_FIELDS), from their spans. */
  decision: DecisionView & { json(field: DecisionField): string | null };
  /** `,"hash":"…"` and `,"sig":"…"`: cut out, they leave the signing input. */
  hashCut: [number, number];
  sigCut: [number, number];
}

const Q = 0x22; // "
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MAX_DEPTH = 256;
const MAX_SAFE_DIGITS = '9007199254740991';

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const KEY = {
  body: ascii('{"body":'),
  chain: ascii(',"chain":'),
  hash: ascii(',"hash":'),
  ledger: ascii(',"ledger":'),
  prev: ascii(',"prev":'),
  seq: ascii(',"seq":'),
  sig: ascii(',"sig":'),
  signer: ascii(',"signer":'),
  time: ascii(',"time":'),
  type: ascii(',"type":'),
  v: ascii(',"v":1}'),
};
const TRUE = ascii('true');
const FALSE = ascii('false');
const NULL = ascii('null');

/**
 * The members of an object whose value spans are recorded, by name: `slots[i]` is the index of
 * `names[i]` in DECISION_FIELDS, and `children[i]` the table for its own members, if it has any.
 */
interface FieldTable {
  names: Uint8Array[];
  slots: number[];
  children: (FieldTable | null)[];
}

function fieldTable(prefix: string): FieldTable {
  const table: FieldTable = { names: [], slots: [], children: [] };
  DECISION_FIELDS.forEach((field, slot) => {
    if (!field.startsWith(prefix)) return;
    const name = field.slice(prefix.length);
    if (name.includes('.')) return;
    table.names.push(ascii(name));
    table.slots.push(slot);
    table.children.push(DECISION_FIELDS.some((f) => f.startsWith(`${field}.`)) ? fieldTable(`${field}.`) : null);
  });
  return table;
}

// Every record's body is scanned with it: the type comes after the body in canonical order.
const BODY_FIELDS = fieldTable('');
const SLOT = Object.fromEntries(DECISION_FIELDS.map((field, slot) => [field, slot])) as Record<DecisionField, number>;

// One for all scans: a typed array per record cost more than the rest of a scan's allocations together.
const SPANS = new Int32Array(2 * DECISION_FIELDS.length);

class NotCanonical extends Error {}
const notCanonical = new NotCanonical();

class Scanner {
  pos = 0;
  /** Whether the last string scanned had an escape in it. */
  escaped = false;
  /** [start, end) of the value of each DECISION_FIELDS member found, -1 where absent. Shared by every scan (see scanCanonicalRecord). */
  readonly spans = SPANS.fill(-1);

  readonly view: Buffer;

  constructor(readonly b: Uint8Array) {
    this.view = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  }

  fail(): never {
    throw notCanonical;
  }

  expect(token: Uint8Array): void {
    const b = this.b;
    const p = this.pos;
    if (p + token.length > b.length) this.fail();
    for (let i = 0; i < token.length; i++) if (b[p + i] !== token[i]) this.fail();
    this.pos = p + token.length;
  }

  value(depth: number, fields: FieldTable | null): void {
    const c = this.b[this.pos];
    if (c === Q) this.string();
    else if (c === OPEN_BRACE) this.object(depth + 1, fields);
    else if (c === OPEN_BRACKET) this.array(depth + 1);
    else if (c === 0x74) this.expect(TRUE);
    else if (c === 0x66) this.expect(FALSE);
    else if (c === 0x6e) this.expect(NULL);
    else this.integer();
  }

  /** A canonical string: raw UTF-8 (validated by the caller), no control bytes, escapes only where JCS writes them. */
  string(): void {
    const b = this.b;
    const n = b.length;
    let p = this.pos + 1;
    this.escaped = false;
    while (p < n) {
      const c = b[p];
      // Most string bytes are letters above the backslash: one comparison lets them through.
      if (c > BACKSLASH) {
        // The lead bytes of U+FDD0..U+FFFF and of every plane beyond: where a noncharacter can start.
        if (c >= 0xef && isNoncharacterAt(b, p)) this.fail();
        p++;
        continue;
      }
      if (c === Q) {
        this.pos = p + 1;
        return;
      }
      if (c < 0x20) this.fail();
      if (c === BACKSLASH) {
        this.escaped = true;
        const e = b[p + 1];
        if (e === Q || e === BACKSLASH || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) p += 2;
        else if (e === 0x75 && b[p + 2] === 0x30 && b[p + 3] === 0x30 && isControlEscape(b[p + 4], b[p + 5])) p += 6;
        else this.fail();
      } else p++;
    }
    this.fail();
  }

  /** A canonical integer within ±(2^53 − 1): no sign on zero, no leading zeros, no fraction or exponent. */
  integer(): void {
    const b = this.b;
    let p = this.pos;
    if (b[p] === 0x2d) p++;
    const first = p;
    if (b[p] === 0x30) {
      if (p !== this.pos) this.fail();
      p++;
    } else {
      if (!(b[p] >= 0x31 && b[p] <= 0x39)) this.fail();
      while (b[p] >= 0x30 && b[p] <= 0x39) p++;
    }
    const digits = p - first;
    if (digits > 16) this.fail();
    if (digits === 16) {
      for (let i = 0; i < 16; i++) {
        const d = b[first + i] - MAX_SAFE_DIGITS.charCodeAt(i);
        if (d < 0) break;
        if (d > 0) this.fail();
      }
    }
    this.pos = p;
  }

  array(depth: number): void {
    if (depth > MAX_DEPTH) this.fail();
    const b = this.b;
    this.pos++;
    if (b[this.pos] === CLOSE_BRACKET) {
      this.pos++;
      return;
    }
    for (;;) {
      this.value(depth, null);
      const c = b[this.pos++];
      if (c === CLOSE_BRACKET) return;
      if (c !== COMMA) this.fail();
    }
  }

  object(depth: number, fields: FieldTable | null): void {
    if (depth > MAX_DEPTH) this.fail();
    const b = this.b;
    this.pos++;
    if (b[this.pos] === CLOSE_BRACE) {
      this.pos++;
      return;
    }
    // The previous member's name, [start, end): names must come in strictly increasing order.
    let previousStart = -1;
    let previousEnd = -1;
    for (;;) {
      if (b[this.pos] !== Q) this.fail();
      const nameStart = this.pos + 1;
      this.string();
      const nameEnd = this.pos - 1;
      if (previousStart >= 0 && compareNames(b, previousStart, previousEnd, nameStart, nameEnd) >= 0) this.fail();
      previousStart = nameStart;
      previousEnd = nameEnd;
      if (b[this.pos++] !== COLON) this.fail();
      const valueStart = this.pos;
      const field = fields ? fieldOf(fields, b, nameStart, nameEnd) : -1;
      this.value(depth, field < 0 ? null : fields!.children[field]);
      if (field >= 0) {
        const slot = fields!.slots[field];
        this.spans[2 * slot] = valueStart;
        this.spans[2 * slot + 1] = this.pos;
      }
      const c = b[this.pos++];
      if (c === CLOSE_BRACE) return;
      if (c !== COMMA) this.fail();
    }
  }

  /**
   * A top-level string member's value. `ascii` is for fields whose format is ASCII anyway (hashes,
   * times, did:keys): decoded as Latin-1, which is faster and still fails their format checks if
   * anything else is there.
   */
  plainString(ascii = true): string {
    const start = this.pos;
    this.string();
    if (this.escaped) return JSON.parse(this.text(start, this.pos)) as string;
    return ascii ? this.view.toString('latin1', start + 1, this.pos - 1) : this.text(start + 1, this.pos - 1);
  }

  text(start: number, end: number): string {
    return this.view.toString('utf8', start, end);
  }
}

/** JCS escapes as \u00XX, in lowercase hex, exactly the controls without a short escape. */
function isControlEscape(hi: number, lo: number): boolean {
  const h = hi === 0x30 ? 0 : hi === 0x31 ? 1 : -1;
  const l = lo >= 0x30 && lo <= 0x39 ? lo - 0x30 : lo >= 0x61 && lo <= 0x66 ? lo - 0x57 : -1;
  if (h < 0 || l < 0) return false;
  const code = h * 16 + l;
  return code !== 0x08 && code !== 0x09 && code !== 0x0a && code !== 0x0c && code !== 0x0d;
}

/** The index in `fields` of the member name at [start, end), or -1. */
function fieldOf(fields: FieldTable, b: Uint8Array, start: number, end: number): number {
  const length = end - start;
  next: for (let f = 0; f < fields.names.length; f++) {
    const name = fields.names[f];
    if (name.length !== length) continue;
    for (let i = 0; i < length; i++) if (b[start + i] !== name[i]) continue next;
    return f;
  }
  return -1;
}

/**
 * Whether the UTF-8 sequence at `p` (valid UTF-8, checked before scanning) encodes a noncharacter
 * (see ../json/unicode): U+FDD0..U+FDEF is EF B7 90..AF, U+FFFE and U+FFFF are EF BF BE and EF BF BF,
 * and U+nFFFE, U+nFFFF beyond the BMP are four bytes ending xF BF BE or xF BF BF.
 */
function isNoncharacterAt(b: Uint8Array, p: number): boolean {
  const c = b[p];
  if (c === 0xef) return (b[p + 1] === 0xb7 && b[p + 2] >= 0x90 && b[p + 2] <= 0xaf) || (b[p + 1] === 0xbf && (b[p + 2] === 0xbe || b[p + 2] === 0xbf));
  return c >= 0xf0 && (b[p + 1] & 0x0f) === 0x0f && b[p + 2] === 0xbf && (b[p + 3] === 0xbe || b[p + 3] === 0xbf);
}

/**
 * JCS orders names by UTF-16 code units. For names of plain ASCII that is byte order; names
 * with escapes or non-ASCII characters are decoded and compared as JS strings.
 */
function compareNames(b: Uint8Array, xs: number, xe: number, ys: number, ye: number): number {
  const lx = xe - xs;
  const ly = ye - ys;
  for (let i = 0; i < lx && i < ly; i++) {
    const cx = b[xs + i];
    const cy = b[ys + i];
    if (cx >= 0x80 || cy >= 0x80 || cx === BACKSLASH || cy === BACKSLASH) return compareDecoded(b, xs, xe, ys, ye);
    if (cx !== cy) return cx - cy;
  }
  return lx - ly;
}

function compareDecoded(b: Uint8Array, xs: number, xe: number, ys: number, ye: number): number {
  const decode = (s: number, e: number) => JSON.parse(Buffer.from(b.buffer, b.byteOffset + s - 1, e - s + 2).toString('utf8')) as string;
  const a = decode(xs, xe);
  const c = decode(ys, ye);
  return a < c ? -1 : a > c ? 1 : 0;
}

/**
 * Scans a record; null unless its bytes are the canonical form of a record with exactly the
 * version-1 members. The result's `decision` reads spans kept for the last scan only: use it
 * before the next call, and keep none of it.
 */
export function scanCanonicalRecord(bytes: Uint8Array): CanonicalRecord | null {
  const s = new Scanner(bytes);
  try {
    s.expect(KEY.body);
    const bodyStart = s.pos;
    if (bytes[bodyStart] !== OPEN_BRACE) return null;
    s.object(1, BODY_FIELDS);
    const bodyEnd = s.pos;
    s.expect(KEY.chain);
    const chain = s.plainString(false);
    const hashStart = s.pos;
    s.expect(KEY.hash);
    const hash = s.plainString();
    const hashEnd = s.pos;
    s.expect(KEY.ledger);
    const ledger = s.plainString();
    s.expect(KEY.prev);
    let prev: string | null = null;
    if (bytes[s.pos] === Q) prev = s.plainString();
    else s.expect(NULL);
    s.expect(KEY.seq);
    const seqStart = s.pos;
    s.integer();
    const seq = Number(s.text(seqStart, s.pos));
    const sigStart = s.pos;
    s.expect(KEY.sig);
    const sig = s.plainString();
    const sigEnd = s.pos;
    s.expect(KEY.signer);
    const signer = s.plainString();
    s.expect(KEY.time);
    const time = s.plainString();
    s.expect(KEY.type);
    const type = s.plainString();
    s.expect(KEY.v);
    if (s.pos !== bytes.length) return null;
    return {
      chain, hash, ledger, prev, seq, sig, signer, time, type, bodyStart, bodyEnd,
      decision: new SpanView(s),
      hashCut: [hashStart, hashEnd],
      sigCut: [sigStart, sigEnd],
    };
  } catch (e) {
    if (e === notCanonical || e instanceof RangeError) return null;
    throw e;
  }
}

/** A decision body read from the spans the scan recorded: kinds from the first byte, strings decoded on demand. */
class SpanView implements DecisionView {
  constructor(private readonly s: Scanner) {}

  kind(field: DecisionField): Kind {
    const start = this.s.spans[2 * SLOT[field]];
    if (start < 0) return 'absent';
    const c = this.s.b[start];
    if (c === Q) return 'string';
    if (c === OPEN_BRACE) return 'object';
    if (c === OPEN_BRACKET) return 'array';
    if (c === 0x6e) return 'null';
    if (c === 0x74 || c === 0x66) return 'boolean';
    return 'number';
  }

  text(field: DecisionField): string {
    const slot = SLOT[field];
    const start = this.s.spans[2 * slot];
    const end = this.s.spans[2 * slot + 1];
    for (let i = start + 1; i < end - 1; i++) if (this.s.b[i] === BACKSLASH) return JSON.parse(this.s.text(start, end)) as string;
    return this.s.text(start + 1, end - 1);
  }

  /**
   * On the bytes: canonical text escapes nothing but control characters, which no hex digest or
   * UUID holds, so a string's form shows in its raw bytes.
   */
  is(field: DecisionField, format: StringFormat): boolean {
    const slot = SLOT[field];
    const b = this.s.b;
    const start = this.s.spans[2 * slot] + 1;
    const length = this.s.spans[2 * slot + 1] - 1 - start;
    if (format === 'non-empty') return length > 0;
    if (format === 'hex64') {
      if (length !== 64) return false;
      for (let i = start; i < start + 64; i++) if (!isLowerHex(b[i])) return false;
      return true;
    }
    if (length !== 36) return false;
    for (let i = 0; i < 36; i++) {
      const c = b[start + i];
      if (i === 8 || i === 13 || i === 18 || i === 23 ? c !== 0x2d : !isLowerHex(c) && !(c >= 0x41 && c <= 0x46)) return false;
    }
    return true;
  }

  /** The canonical JSON of a member, exactly as the record holds it, or null when absent. */
  json(field: DecisionField): string | null {
    const slot = SLOT[field];
    const start = this.s.spans[2 * slot];
    return start < 0 ? null : this.s.text(start, this.s.spans[2 * slot + 1]);
  }
}

const isLowerHex = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66);

let scratch = new Uint8Array(64 * 1024);

/**
 * The signing input of a canonical record: its bytes without `,"hash":…` and `,"sig":…`. It is
 * written into a buffer reused from record to record (a million records would otherwise leave a
 * million copies for the garbage collector): use it before the next call, and keep none of it.
 */
export function canonicalSigningInput(bytes: Uint8Array, r: CanonicalRecord): Uint8Array {
  const [h0, h1] = r.hashCut;
  const [s0, s1] = r.sigCut;
  const length = bytes.length - (h1 - h0) - (s1 - s0);
  if (scratch.length < length) scratch = new Uint8Array(2 * length);
  scratch.set(bytes.subarray(0, h0), 0);
  scratch.set(bytes.subarray(h1, s0), h0);
  scratch.set(bytes.subarray(s1), h0 + (s0 - h1));
  return scratch.subarray(0, length);
}
