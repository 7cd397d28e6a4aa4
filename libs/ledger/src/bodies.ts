import type { Json } from './json/canonical';

export const ROLES = ['decide', 'review', 'policy', 'checkpoint'] as const;
export type Role = (typeof ROLES)[number];

/** Body of a `key` entry (LEDGER-SPEC §2). */
export interface KeyBody {
  [key: string]: Json;
  action: 'register' | 'revoke';
  key: string;
  name: string;
  roles: Role[];
  notBefore: string;
  notAfter: string | null;
}

/** Body of a `policy` entry (LEDGER-SPEC §4). */
export interface PolicyBody {
  [key: string]: Json;
  policyId: string;
  version: number;
  digest: string;
  document: { [key: string]: Json };
}

/** The role a signer needs for each entry type; `key` entries are the root's alone. */
export const ROLE_FOR_TYPE = { decision: 'decide', review: 'review', policy: 'policy' } as const;

export const KEYS_CHAIN = 'keys';
export const POLICIES_CHAIN = 'policies';
export const DECISIONS_CHAIN_PREFIX = 'decisions-';

export function decisionsChain(subject: string): string {
  return `${DECISIONS_CHAIN_PREFIX}${subject}`;
}

/** Store event type of a record: `arbiter.ledger.v1.<type>`. */
export function ledgerEventType(type: string): string {
  return `arbiter.ledger.v1.${type}`;
}
export const LEDGER_EVENT_TYPE_PREFIX = 'arbiter.ledger.v1.';
