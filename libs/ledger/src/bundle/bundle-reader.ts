import { createReadStream } from 'node:fs';
import { MalformedError } from '../errors';
import { parseStrictJson } from '../json/strict-json';
import { objectMembers, skipSpace, valueEnd } from './json-spans';

export const BUNDLE_FORMAT = 'arbiter.bundle/1';

export type BundlePart =
  | { kind: 'member'; name: string; value: Uint8Array }
  | { kind: 'entries'; first: number; items: Uint8Array[] }
  | { kind: 'problem'; message: string };

/** Entries handed on at once: one await per this many, not per entry. */
const ENTRIES_PER_PART = 256;

/**
 * Reads a bundle as a stream of its top-level members and its entries, without holding the
 * whole document: an export of a large ledger is far bigger than one JavaScript string may be.
 * Each entry's bytes are handed on as they are; the verifier parses them strictly.
 */
export async function* readBundleParts(file: string, onBytes?: (read: number) => void, chunkBytes = 1 << 20): AsyncGenerator<BundlePart> {
  const reader = new ChunkReader(file, chunkBytes, onBytes);
  try {
    yield* parts(reader);
  } finally {
    reader.close();
  }
}

async function* parts(r: ChunkReader): AsyncGenerator<BundlePart> {
  if ((await r.nextToken()) !== 0x7b) return yield problem('a bundle is one JSON object');
  r.pos++;
  const seen = new Set<string>();
  if ((await r.nextToken()) === 0x7d) r.pos++;
  else {
    for (;;) {
      if ((await r.nextToken()) !== 0x22) return yield problem('expected a member name');
      const nameBytes = await r.value();
      if (!nameBytes) return yield problem('a member name is cut short');
      const name = parseStrictJson(Buffer.from(nameBytes).toString('utf8')) as string;
      if (seen.has(name)) return yield problem(`duplicate member "${name}"`);
      seen.add(name);
      if ((await r.nextToken()) !== 0x3a) return yield problem('expected ":"');
      r.pos++;
      if (name === 'entries') {
        const ok = yield* entries(r);
        if (!ok) return;
      } else {
        await r.nextToken();
        const value = await r.value();
        if (!value) return yield problem(`the value of "${name}" is cut short`);
        yield { kind: 'member', name, value };
      }
      const c = await r.nextToken();
      r.pos++;
      if (c === 0x7d) break;
      if (c !== 0x2c) return yield problem('expected "," or "}" between members');
    }
  }
  if ((await r.nextToken()) !== undefined) yield problem('unexpected data after the bundle');
}

async function* entries(r: ChunkReader): AsyncGenerator<BundlePart, boolean> {
  if ((await r.nextToken()) !== 0x5b) {
    yield problem('entries must be an array');
    return false;
  }
  r.pos++;
  if ((await r.nextToken()) === 0x5d) {
    r.pos++;
    return true;
  }
  let items: Uint8Array[] = [];
  let first = 0;
  for (let index = 0; ; index++) {
    if (r.peekToken() === undefined) await r.nextToken();
    const bytes = r.bufferedValue() ?? (await r.value());
    if (!bytes) {
      if (items.length) yield { kind: 'entries', first, items };
      yield problem(`entry ${index} is cut short`);
      return false;
    }
    items.push(bytes);
    if (items.length === ENTRIES_PER_PART) {
      yield { kind: 'entries', first, items };
      items = [];
      first = index + 1;
    }
    const c = r.peekToken() ?? (await r.nextToken());
    r.pos++;
    if (c === 0x5d || c !== 0x2c) {
      if (items.length) yield { kind: 'entries', first, items };
      if (c === 0x5d) return true;
      yield problem(`expected "," or "]" after entry ${index}`);
      return false;
    }
  }
}

const problem = (message: string): BundlePart => ({ kind: 'problem', message });

/** A window on a file: refills as values run past the end of what has been read. */
class ChunkReader {
  private buf: Buffer = Buffer.alloc(0);
  pos = 0;
  private eof = false;
  private read = 0;
  private readonly chunks: AsyncIterator<Buffer>;
  private readonly stream;

  constructor(file: string, chunkBytes: number, private readonly onBytes?: (read: number) => void) {
    this.stream = createReadStream(file, { highWaterMark: chunkBytes });
    this.chunks = this.stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  private async more(): Promise<boolean> {
    if (this.eof) return false;
    const next = await this.chunks.next();
    if (next.done) {
      this.eof = true;
      return false;
    }
    this.read += next.value.length;
    this.onBytes?.(this.read);
    this.buf = Buffer.concat([this.buf.subarray(this.pos), next.value]);
    this.pos = 0;
    return true;
  }

  /** The next non-space byte if it is already read (not consumed); undefined when more must be read first. */
  peekToken(): number | undefined {
    this.pos = skipSpace(this.buf, this.pos);
    return this.pos < this.buf.length ? this.buf[this.pos] : undefined;
  }

  /** The value at the current position if it ends within what is read (consumed); else null, and nothing is consumed. */
  bufferedValue(): Uint8Array | null {
    const end = valueEnd(this.buf, this.pos);
    if (end < 0 || end >= this.buf.length) return null;
    const value = this.buf.subarray(this.pos, end);
    this.pos = end;
    return value;
  }

  /** The next non-space byte (not consumed), or undefined at the end of the file. */
  async nextToken(): Promise<number | undefined> {
    for (;;) {
      this.pos = skipSpace(this.buf, this.pos);
      if (this.pos < this.buf.length) return this.buf[this.pos];
      if (!(await this.more())) return undefined;
    }
  }

  /** The bytes of the JSON value at the current position (consumed), or null if the file ends first. */
  async value(): Promise<Uint8Array | null> {
    for (;;) {
      const end = valueEnd(this.buf, this.pos);
      if (end >= 0 && end < this.buf.length) {
        const value = this.buf.subarray(this.pos, end);
        this.pos = end;
        return value;
      }
      if (!(await this.more())) {
        if (end === -1 || this.pos >= this.buf.length) return null;
        const value = this.buf.subarray(this.pos, end < 0 ? this.buf.length : end);
        this.pos = this.buf.length;
        return value;
      }
    }
  }

  close(): void {
    this.stream.destroy();
  }
}

export interface BundleEntry {
  leaf: number;
  /** The record's bytes as they appear in the bundle. */
  record: Uint8Array;
  proof: Uint8Array[] | null;
}

/** One element of `entries`: `{"leaf": n, "record": {...}, "proof": [...]?}`, read strictly. */
export function parseBundleEntry(bytes: Uint8Array): BundleEntry {
  const members = objectMembers(bytes);
  const span = (name: string) => members.find((m) => m.name === name);
  for (const m of members) if (!['leaf', 'record', 'proof'].includes(m.name)) throw new MalformedError(`unknown entry member "${m.name}"`);
  const leafSpan = span('leaf');
  const recordSpan = span('record');
  if (!leafSpan || !recordSpan) throw new MalformedError('an entry has a leaf and a record');
  const leaf = parseStrictJson(Buffer.from(bytes.subarray(leafSpan.start, leafSpan.end)).toString('utf8'));
  if (typeof leaf !== 'number' || leaf < 0) throw new MalformedError('leaf must be an integer ≥ 0');
  if (bytes[recordSpan.start] !== 0x7b) throw new MalformedError('record must be an object');
  const proofSpan = span('proof');
  return { leaf, record: bytes.subarray(recordSpan.start, recordSpan.end), proof: proofSpan ? parseProof(bytes.subarray(proofSpan.start, proofSpan.end)) : null };
}

function parseProof(bytes: Uint8Array): Uint8Array[] {
  const value = parseStrictJson(Buffer.from(bytes).toString('utf8'));
  if (!Array.isArray(value)) throw new MalformedError('proof must be an array of base64 hashes');
  return value.map((h) => {
    const decoded = typeof h === 'string' ? Buffer.from(h, 'base64') : null;
    if (!decoded || decoded.length !== 32 || decoded.toString('base64') !== h) throw new MalformedError('proof must be an array of base64 SHA-256 hashes');
    return new Uint8Array(decoded);
  });
}

/** A top-level string member of a bundle (format, ledger, checkpoint). */
export function bundleString(value: Uint8Array, name: string): string {
  const parsed = parseStrictJson(Buffer.from(value).toString('utf8'));
  if (typeof parsed !== 'string') throw new MalformedError(`${name} must be a string`);
  return parsed;
}
