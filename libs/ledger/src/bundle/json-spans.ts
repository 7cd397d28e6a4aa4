import { MalformedError } from '../errors';

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

export function skipSpace(b: Uint8Array, pos: number): number {
  while (pos < b.length && isSpace(b[pos])) pos++;
  return pos;
}

/**
 * The end of the JSON value starting at `pos` (after any whitespace), found by balancing
 * brackets outside strings; -1 when the bytes end first. Only finds the boundary: whatever is
 * inside is parsed strictly by whoever takes the value.
 */
export function valueEnd(b: Uint8Array, pos: number): number {
  let depth = 0;
  let p = pos;
  for (; p < b.length; p++) {
    const c = b[p];
    if (c === 0x22) {
      p = stringEnd(b, p);
      if (p < 0) return -1;
      if (depth === 0) return p + 1;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return p + 1;
      if (depth < 0) return p;
    } else if (depth === 0 && (c === 0x2c || isSpace(c))) {
      return p;
    }
  }
  return depth === 0 && p > pos ? -2 : -1;
}

/** The index of the quote that closes the string opening at `pos`, or -1 when the bytes end first. */
function stringEnd(b: Uint8Array, pos: number): number {
  for (let p = pos + 1; p < b.length; p++) {
    if (b[p] === 0x5c) p++;
    else if (b[p] === 0x22) return p;
  }
  return -1;
}

export interface MemberSpan {
  name: string;
  start: number;
  end: number;
}

/** The members of the JSON object in `b`, with their values' spans; refuses duplicate names. */
export function objectMembers(b: Uint8Array): MemberSpan[] {
  const members: MemberSpan[] = [];
  const seen = new Set<string>();
  let p = skipSpace(b, 0);
  if (b[p] !== 0x7b) throw new MalformedError('expected an object');
  p = skipSpace(b, p + 1);
  if (b[p] === 0x7d) return checkTrailing(b, p + 1, members);
  for (;;) {
    if (b[p] !== 0x22) throw new MalformedError('expected a member name');
    const nameEnd = stringEnd(b, p);
    if (nameEnd < 0) throw new MalformedError('unterminated member name');
    const name = JSON.parse(Buffer.from(b.subarray(p, nameEnd + 1)).toString('utf8')) as string;
    if (seen.has(name)) throw new MalformedError(`duplicate member name "${name}"`);
    seen.add(name);
    p = skipSpace(b, nameEnd + 1);
    if (b[p] !== 0x3a) throw new MalformedError('expected ":"');
    const start = skipSpace(b, p + 1);
    const end = valueEnd(b, start);
    if (end < 0 && end !== -2) throw new MalformedError(`the value of "${name}" is cut short`);
    const stop = end === -2 ? b.length : end;
    members.push({ name, start, end: stop });
    p = skipSpace(b, stop);
    if (b[p] === 0x7d) return checkTrailing(b, p + 1, members);
    if (b[p] !== 0x2c) throw new MalformedError('expected "," or "}"');
    p = skipSpace(b, p + 1);
  }
}

function checkTrailing(b: Uint8Array, p: number, members: MemberSpan[]): MemberSpan[] {
  if (skipSpace(b, p) !== b.length) throw new MalformedError('unexpected data after the object');
  return members;
}
