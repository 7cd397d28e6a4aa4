import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChainWriter, KEYS_CHAIN, KeyBody, Role, Signer, ledgerTime, uuidV5 } from '@arbiter/ledger';
import type { Platform } from './platform';

export interface KeyRing {
  root: string;
  reasoner: Signer;
  operator: Signer;
}

/** The store event id of a key registration: registering the same key twice is one entry. */
export function keyRegistrationId(did: string, name: string): string {
  return uuidV5(`key\nregister\n${name}\n${did}`);
}

async function register(writer: ChainWriter, root: Signer, key: Signer, roles: Role[], now: Date): Promise<void> {
  const body: KeyBody = { action: 'register', key: key.did, name: key.name, roles, notBefore: ledgerTime(now), notAfter: null };
  await writer.append({ chain: KEYS_CHAIN, type: 'key', body, eventId: keyRegistrationId(key.did, key.name), signer: root });
}

/**
 * The all-in-one mode's keys: a development root (the trust anchor, its did:key written to
 * keys/root.did for auditors), the reasoner's own key (role decide) and the operator's key
 * (policy, review), each generated in the local key store and registered in chain `keys`.
 */
export async function bootstrapKeys(platform: Platform, writer: ChainWriter): Promise<KeyRing> {
  const root = await platform.keys.signer('root');
  writeFileSync(join(platform.dataDir, 'keys', 'root.did'), root.did + '\n');
  const reasoner = await platform.keys.signer('reasoner');
  const operator = await platform.keys.signer('operator');
  const now = platform.clock.now();
  await register(writer, root, reasoner, ['decide'], now);
  await register(writer, root, operator, ['policy', 'review'], now);
  return { root: root.did, reasoner, operator };
}
