import { MalformedError } from '../errors';
import { forbiddenCodePoint } from './unicode';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Raised deep inside a value; each level on the way out adds its member name or index. */
class CanonicalError extends Error {
  readonly path: (string | number)[] = [];
}

function serializeString(s: string): string {
  const forbidden = forbiddenCodePoint(s);
  if (forbidden) throw new CanonicalError(`string has ${forbidden}`);
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

function addStep(e: unknown, step: string | number): unknown {
  if (e instanceof CanonicalError) e.path.unshift(step);
  return e;
}

// Paths are only built when something is wrong: the common case pays for no string per node.
function write(value: unknown): string {
  if (typeof value === 'string') return serializeString(value);
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new CanonicalError(`${value} is not an integer`);
    if (Math.abs(value) > MAX_SAFE) throw new CanonicalError(`${value} is beyond ±(2^53 − 1)`);
    return Object.is(value, -0) ? '0' : String(value);
  }
  if (value === null || value === true || value === false) return String(value);
  if (Array.isArray(value)) return writeArray(value);
  if (isPlainObject(value)) return writeObject(value);
  throw new CanonicalError(`${typeof value} is not a JSON value`);
}

function writeArray(value: unknown[]): string {
  let out = '[';
  for (let i = 0; i < value.length; i++) {
    try {
      out += (i ? ',' : '') + write(value[i]);
    } catch (e) {
      throw addStep(e, i);
    }
  }
  return out + ']';
}

/** `written`: members already in canonical form, by name, taken as they are. */
function writeObject(value: Record<string, unknown>, written?: Record<string, string>): string {
  const keys = Object.keys(value).filter((k) => value[k] !== undefined);
  keys.sort(compareKeys);
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    try {
      out += (i ? ',' : '') + serializeString(key) + ':' + (written && Object.hasOwn(written, key) ? written[key] : write(value[key]));
    } catch (e) {
      throw addStep(e, key);
    }
  }
  return out + '}';
}

function pathText(path: (string | number)[]): string {
  return '$' + path.map((step) => (typeof step === 'number' ? `[${step}]` : `.${step}`)).join('');
}

/**
 * RFC 8785 (JCS) canonical form, refusing what LEDGER-SPEC §1 forbids: non-integer and
 * unsafe numbers, lone surrogates and noncharacters (RFC 7493 §2.1, see ./unicode), and
 * anything that is not plain JSON data. Members whose
 * value is `undefined` are left out, as JSON.stringify does.
 */
export function canonicalize(value: unknown): string {
  return reported(() => write(value));
}

/** What went wrong deep inside a value, raised as a MalformedError naming where. */
function reported(run: () => string): string {
  try {
    return run();
  } catch (e) {
    if (e instanceof CanonicalError) throw new MalformedError(`${pathText(e.path)}: ${e.message}`);
    throw e;
  }
}

/**
 * The canonical form of an object some of whose members are already in canonical form (`written`,
 * by member name): the text `canonicalize` gives for the whole object, without writing those
 * members again. A record's body holds most of its bytes, and a record is written twice (its
 * entry to sign, then itself to store).
 */
export function canonicalizeWith(value: Record<string, unknown>, written: Record<string, string>): string {
  return reported(() => {
    if (!isPlainObject(value)) throw new CanonicalError(`${typeof value} is not a JSON object`);
    return writeObject(value, written);
  });
}

export function canonicalBytes(value: unknown): Uint8Array {
  return Buffer.from(canonicalize(value), 'utf8');
}
