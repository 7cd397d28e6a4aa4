import { MalformedError } from '../errors';
import type { Json } from './canonical';
import { forbiddenCodePoint } from './unicode';

/**
 * A JSON parser for verifiers: RFC 8259 syntax plus the I-JSON rules of LEDGER-SPEC §1.
 * JSON.parse silently keeps the last of duplicate names and rounds big numbers, which would
 * let two different documents verify as one; this parser refuses both.
 */
export function parseStrictJson(text: string): Json {
  const parser = new StrictParser(text);
  const value = parser.value('$');
  parser.skipWhitespace();
  if (parser.pos !== text.length) parser.fail('unexpected data after the JSON value');
  return value;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class StrictParser {
  pos = 0;
  constructor(private readonly text: string) {}

  fail(message: string): never {
    throw new MalformedError(`${message} at offset ${this.pos}`);
  }

  skipWhitespace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  value(path: string): Json {
    this.skipWhitespace();
    const c = this.text[this.pos];
    if (c === '{') return this.object(path);
    if (c === '[') return this.array(path);
    if (c === '"') return this.string(path);
    if (c === '-' || (c >= '0' && c <= '9')) return this.number(path);
    for (const [word, val] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return val;
      }
    }
    return this.fail(`unexpected ${c === undefined ? 'end of input' : `"${c}"`}`);
  }

  object(path: string): Json {
    this.pos++;
    const result: Record<string, Json> = {};
    const seen = new Set<string>();
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.fail('expected a member name');
      const key = this.string(path);
      if (seen.has(key)) throw new MalformedError(`${path}: duplicate member name "${key}"`);
      seen.add(key);
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') this.fail('expected ":"');
      this.pos++;
      Object.defineProperty(result, key, { value: this.value(`${path}.${key}`), enumerable: true, writable: true, configurable: true });
      this.skipWhitespace();
      const c = this.text[this.pos++];
      if (c === '}') return result;
      if (c !== ',') this.fail('expected "," or "}"');
    }
  }

  array(path: string): Json {
    this.pos++;
    const result: Json[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return result;
    }
    for (;;) {
      result.push(this.value(`${path}[${result.length}]`));
      this.skipWhitespace();
      const c = this.text[this.pos++];
      if (c === ']') return result;
      if (c !== ',') this.fail('expected "," or "]"');
    }
  }

  string(path: string): string {
    const start = ++this.pos;
    const t = this.text;
    let simple = true;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) break;
      if (c < 0x20) this.fail('control character in string');
      if (c === 0x5c) {
        simple = false;
        this.pos += 2;
      } else this.pos++;
    }
    if (this.pos >= t.length) this.fail('unterminated string');
    const raw = t.slice(start, this.pos);
    this.pos++;
    let value: string;
    try {
      value = simple ? raw : (JSON.parse(`"${raw}"`) as string);
    } catch {
      return this.fail('invalid escape in string');
    }
    const forbidden = forbiddenCodePoint(value);
    if (forbidden) throw new MalformedError(`${path}: string has ${forbidden}`);
    return value;
  }

  number(path: string): number {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) return this.fail('invalid number');
    this.pos += match[0].length;
    if (!/^-?(0|[1-9]\d*)$/.test(match[0])) throw new MalformedError(`${path}: ${match[0]} is not an integer`);
    const n = Number(match[0]);
    if (!Number.isSafeInteger(n)) throw new MalformedError(`${path}: ${match[0]} is beyond ±(2^53 − 1)`);
    return n;
  }
}
