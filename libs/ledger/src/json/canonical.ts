import { MalformedError } from '../errors';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function hasLoneSurrogate(s: string): boolean {
  return !s.isWellFormed();
}

function serializeString(s: string, path: string): string {
  if (hasLoneSurrogate(s)) throw new MalformedError(`${path}: string has a lone surrogate`);
  return JSON.stringify(s);
}

/** Plain data objects from any realm (a direct child of some Object.prototype, or null-prototype). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** JCS orders members by their names as UTF-16 code units, which is JS's default string order. */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function write(value: unknown, path: string, out: string[]): void {
  if (value === null || value === true || value === false) {
    out.push(String(value));
  } else if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new MalformedError(`${path}: ${value} is not an integer`);
    if (Math.abs(value) > MAX_SAFE) throw new MalformedError(`${path}: ${value} is beyond ±(2^53 − 1)`);
    out.push(Object.is(value, -0) ? '0' : String(value));
  } else if (typeof value === 'string') {
    out.push(serializeString(value, path));
  } else if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item, i) => {
      if (i) out.push(',');
      write(item, `${path}[${i}]`, out);
    });
    out.push(']');
  } else if (isPlainObject(value)) {
    const keys = Object.keys(value as object).filter((k) => (value as Record<string, unknown>)[k] !== undefined);
    keys.sort(compareKeys);
    out.push('{');
    keys.forEach((key, i) => {
      if (i) out.push(',');
      out.push(serializeString(key, path), ':');
      write((value as Record<string, unknown>)[key], `${path}.${key}`, out);
    });
    out.push('}');
  } else {
    throw new MalformedError(`${path}: ${typeof value} is not a JSON value`);
  }
}

/**
 * RFC 8785 (JCS) canonical form, refusing what LEDGER-SPEC §1 forbids: non-integer and
 * unsafe numbers, lone surrogates, and anything that is not plain JSON data. Members whose
 * value is `undefined` are left out, as JSON.stringify does.
 */
export function canonicalize(value: unknown): string {
  const out: string[] = [];
  write(value, '$', out);
  return out.join('');
}

export function canonicalBytes(value: unknown): Uint8Array {
  return Buffer.from(canonicalize(value), 'utf8');
}
