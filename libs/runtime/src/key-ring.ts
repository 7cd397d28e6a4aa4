import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChainWriter, KEYS_CHAIN, KeyBody, Role, Signer, keyRegistryOf, ledgerTime, storeSource, uuidV5 } from '@arbiter/ledger';
import type { Platform } from './platform';

export interface KeyRing {
  root: string;
  reasoner: Signer;
  operator: Signer;
  /** Signs reviews of escalated decisions (a human's verdict, or the policy's default on timeout). */
  reviewer: Signer;
  /** Signs checkpoints of the Merkle log (role checkpoint). */
  notary: Signer;
}

/** The keys a service generates in its own key store, and the roles chain `keys` must grant each. */
export const SERVICE_KEYS: readonly { name: 'reasoner' | 'operator' | 'reviewer' | 'notary'; roles: Role[] }[] = [
  { name: 'reasoner', roles: ['decide'] },
  { name: 'operator', roles: ['policy', 'review'] },
  { name: 'reviewer', roles: ['review'] },
  { name: 'notary', roles: ['checkpoint'] },
];

/** The store event id of a key registration: registering the same key twice is one entry. */
export function keyRegistrationId(did: string, name: string): string {
  return uuidV5(`key\nregister\n${name}\n${did}`);
}

/** The store event id of a revocation: revoking the same key twice is one entry. */
export function keyRevocationId(did: string, name: string): string {
  return uuidV5(`key\nrevoke\n${name}\n${did}`);
}

/** Registers `key` under its own name in chain `keys`, signed by `root`; registering it again is the same entry. */
export async function registerServiceKey(writer: ChainWriter, root: Signer, key: Signer, roles: Role[], now: Date): Promise<void> {
  const body: KeyBody = { action: 'register', key: key.did, name: key.name, roles, notBefore: ledgerTime(now), notAfter: null };
  await writer.append({ chain: KEYS_CHAIN, type: 'key', body, eventId: keyRegistrationId(key.did, key.name), signer: root });
}

/** A service key chain `keys` does not (or no longer) grant what the service needs. */
export class KeysNotRegisteredError extends Error {
  readonly code = 'keys-not-registered';
}

/**
 * An operator root is pinned when keys/root.did is there without keys/root.key: the root is held
 * elsewhere (an operator key directory), and this data directory only knows its did:key.
 */
export function pinnedOperatorRoot(dataDir: string): string | null {
  const keys = join(dataDir, 'keys');
  if (existsSync(join(keys, 'root.key')) || !existsSync(join(keys, 'root.did'))) return null;
  return readFileSync(join(keys, 'root.did'), 'utf8').trim();
}

/**
 * The service's keys, each generated in its own key store; the private keys never leave it.
 *
 * With an operator root pinned (`arbiter keys init-root --data`), the operator registers the
 * service keys in chain `keys` (`arbiter keys register`), and a service whose keys are not
 * registered refuses to start. Otherwise (the all-in-one development mode) a development root
 * in keys/ registers them itself; its did:key is written to keys/root.did for auditors.
 */
export async function bootstrapKeys(platform: Platform, writer: ChainWriter): Promise<KeyRing> {
  const signers = {} as Record<(typeof SERVICE_KEYS)[number]['name'], Signer>;
  for (const { name } of SERVICE_KEYS) signers[name] = await platform.keys.signer(name);
  let root = pinnedOperatorRoot(platform.dataDir);
  if (!root) {
    const devRoot = await platform.keys.signer('root');
    writeFileSync(join(platform.dataDir, 'keys', 'root.did'), devRoot.did + '\n');
    const now = platform.clock.now();
    for (const { name, roles } of SERVICE_KEYS) await registerServiceKey(writer, devRoot, signers[name], roles, now);
    root = devRoot.did;
  }
  await assertKeysRegistered(platform, root, signers);
  return { root, ...signers };
}

async function assertKeysRegistered(platform: Platform, root: string, signers: Record<string, Signer>): Promise<void> {
  const registry = await keyRegistryOf(storeSource(platform.store).keyRecords(), root);
  const now = platform.clock.now().toISOString();
  const missing = SERVICE_KEYS.filter(({ name, roles }) => roles.some((role) => registry.status(signers[name].did, role, now) !== 'valid'));
  if (missing.length === 0) return;
  const dataDir = platform.dataDir;
  throw new KeysNotRegisteredError(
    `chain keys does not grant this service's keys what they need (root ${root}):\n` +
      missing.map(({ name, roles }) => `  ${name} ${signers[name].did} needs ${roles.join(', ')}: npx arbiter keys register --data ${dataDir}${pinnedOperatorRoot(dataDir) ? ' --root-dir <operator key directory>' : ''} --name ${name} --roles ${roles.join(',')}`).join('\n') +
      (platform.config.esdbConnectionString ? '\n(run it with ESDB_CONNECTION_STRING set as for this service, or with --esdb: chain keys is in EventStoreDB)' : '') +
      '\n(revoked keys are replaced with `npx arbiter keys rotate`)',
  );
}
