import { createHash } from 'node:crypto';

/** The namespace of Arbiter's name-based ids (a UUIDv5 of the DNS namespace and "arbiter.ledger"). */
export const ARBITER_NAMESPACE = '962ac793-462a-5b63-ba14-954acb3b827f';

const bytesOf = (namespace: string) => Buffer.from(namespace.replace(/-/g, ''), 'hex');
/** Arbiter's namespace as bytes, parsed once: every archived event and every decision takes an id in it. */
const ARBITER_NAMESPACE_BYTES = bytesOf(ARBITER_NAMESPACE);

/** RFC 9562 UUIDv5: deterministic, so the same decision identity always yields the same id. */
export function uuidV5(name: string, namespace = ARBITER_NAMESPACE): string {
  const ns = namespace === ARBITER_NAMESPACE ? ARBITER_NAMESPACE_BYTES : bytesOf(namespace);
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
