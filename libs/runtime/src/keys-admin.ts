import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Clock, systemClock } from '@arbiter/clock';
import type { EventStore } from '@arbiter/event-store';
import { FileKeyStore } from '@arbiter/key-store-file';
import {
  ChainWriter, KEYS_CHAIN, KeyBody, ROLES, Role, Signer, TIME, assertStrongPublicKey, checkLeaf, keyRegistryOf, ledgerTime, publicKeyFromDidKey,
  storeSource,
} from '@arbiter/ledger';
import { lockDataDir } from './data-dir-lock';
import { keyRegistrationId, keyRevocationId, pinnedOperatorRoot } from './key-ring';
import { openEventStore, redactedEndpoint } from './platform';

/** A key operation that cannot go ahead; the message says what to do instead. */
export class KeyAdminError extends Error {
  constructor(
    readonly code: 'no-root' | 'root-exists-in-data-dir' | 'wrong-root' | 'bad-key' | 'bad-window' | 'not-registered' | 'no-such-key',
    message: string,
  ) {
    super(message);
    this.name = 'KeyAdminError';
  }
}

const NAME = /^[a-z0-9._-]{1,64}$/;
const ROTATION_DIR = '.rotating';

/** Where the operator's root lives when not told: ARBITER_ROOT_DIR, else ~/.arbiter/root. Never inside a service's data directory. */
export function defaultRootDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.ARBITER_ROOT_DIR ?? join(homedir(), '.arbiter', 'root'));
}

export interface InitRootResult {
  did: string;
  created: boolean;
  rootDir: string;
  /** The data directory now pinned to this root (keys/root.did), if one was given. */
  pinned: string | null;
}

/**
 * Generates the operator's root key in its own directory (0700, the secret 0600), or reuses the
 * one there. With `pinInto`, writes the root's did:key into that data directory, which switches
 * the service there from a development root to this operator root.
 */
export async function initOperatorRoot(rootDir: string, pinInto?: string): Promise<InitRootResult> {
  const created = !existsSync(join(rootDir, 'root.key'));
  const root = await new FileKeyStore(rootDir).signer('root');
  if (!pinInto) return { did: root.did, created, rootDir, pinned: null };
  const keys = join(resolve(pinInto), 'keys');
  if (existsSync(join(keys, 'root.key'))) {
    throw new KeyAdminError('root-exists-in-data-dir', `${pinInto} has a development root (keys/root.key) and a ledger it signed; pin an operator root into a fresh data directory`);
  }
  const pinned = existsSync(join(keys, 'root.did')) ? readFileSync(join(keys, 'root.did'), 'utf8').trim() : null;
  if (pinned && pinned !== root.did) throw new KeyAdminError('wrong-root', `${pinInto} is pinned to another root, ${pinned}`);
  mkdirSync(keys, { recursive: true, mode: 0o700 });
  writeFileSync(join(keys, 'root.did'), root.did + '\n', { mode: 0o644 });
  return { did: root.did, created, rootDir, pinned: resolve(pinInto) };
}

/**
 * The root that signs chain `keys` for a data directory: from `rootDir` when given, else the
 * development root in the data directory's own key store. Never creates one.
 */
export async function loadRoot(dataDir: string, rootDir?: string): Promise<Signer> {
  const dir = rootDir ?? (existsSync(join(dataDir, 'keys', 'root.key')) ? join(dataDir, 'keys') : null);
  if (!dir || !existsSync(join(dir, 'root.key'))) {
    throw new KeyAdminError('no-root', `no root key${dir ? ` in ${dir}` : ''}: pass --root-dir (the directory \`arbiter keys init-root\` wrote), or set ARBITER_ROOT_DIR`);
  }
  return new FileKeyStore(dir).signer('root');
}

export interface ServiceKey {
  name: string;
  did: string;
  /** Roles chain `keys` grants it now, when the root is known. */
  roles: Role[] | null;
  revoked: string | null;
}

/** The did:key of a service key, generated in the service's own key store if it has none yet. */
export async function serviceKey(dataDir: string, name: string): Promise<string> {
  if (!NAME.test(name)) throw new KeyAdminError('no-such-key', `key name "${name}" must match [a-z0-9._-]{1,64}`);
  return (await new FileKeyStore(join(dataDir, 'keys')).signer(name)).did;
}

export interface KeyAdminContext {
  /** The service data directory: its key store, and its embedded event store unless `esdb` is given. */
  dataDir: string;
  /** The ledger id for a chain `keys` that does not exist yet (else the chain's own). */
  ledgerId: string;
  /** EventStoreDB holding the service's ledger (the distributed mode): chain `keys` is read and written there. */
  esdb?: string;
  clock?: Clock;
}

export interface RegisterRequest {
  name: string;
  roles: Role[];
  /** The key to register; by default the service key of that name in the data directory. */
  key?: string;
  notBefore?: string;
  notAfter?: string | null;
}

/** Opens the data directory's store, checks `root` is the root of its chain `keys`, and runs `work`. */
async function withKeysChain<T>(ctx: KeyAdminContext, root: Signer, work: (writer: ChainWriter, store: EventStore) => Promise<T>): Promise<T> {
  const pinned = pinnedOperatorRoot(ctx.dataDir);
  if (pinned && pinned !== root.did) throw new KeyAdminError('wrong-root', `${ctx.dataDir} is pinned to root ${pinned}, not to ${root.did}`);
  const store = openEventStore(ctx.dataDir, ctx.esdb);
  try {
    let ledger = ctx.ledgerId;
    for await (const record of storeSource(store).keyRecords()) {
      const { check } = checkLeaf(record);
      if (check.signer !== root.did) throw new KeyAdminError('wrong-root', `chain keys of ${ctx.esdb ? redactedEndpoint(ctx.esdb) : ctx.dataDir} is signed by ${check.signer}, not by ${root.did}`);
      ledger = check.ledger ?? ledger;
      break;
    }
    return await work(new ChainWriter(store, ledger, ctx.clock ?? systemClock), store);
  } finally {
    await store.close();
  }
}

function normaliseTime(value: string, what: string): string {
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw new KeyAdminError('bad-window', `${what} "${value}" is not a time`);
  const text = ledgerTime(time);
  if (!TIME.test(text)) throw new KeyAdminError('bad-window', `${what} "${value}" is out of range`);
  return text;
}

function assertKey(did: string): void {
  try {
    assertStrongPublicKey(publicKeyFromDidKey(did));
  } catch (e) {
    throw new KeyAdminError('bad-key', `${did} cannot be registered: ${(e as Error).message}`);
  }
}

/** Registers a key in chain `keys`, signed by the root: its name, roles and validity window. Weak keys are refused. */
export async function registerKey(ctx: KeyAdminContext, root: Signer, request: RegisterRequest): Promise<KeyBody> {
  if (!NAME.test(request.name)) throw new KeyAdminError('bad-key', `key name "${request.name}" must match [a-z0-9._-]{1,64}`);
  const unknownRole = request.roles.find((r) => !ROLES.includes(r));
  if (unknownRole || request.roles.length === 0) throw new KeyAdminError('bad-key', `roles are one or more of ${ROLES.join(', ')}`);
  const key = request.key ?? (await serviceKey(ctx.dataDir, request.name));
  assertKey(key);
  const now = (ctx.clock ?? systemClock).now();
  const notBefore = request.notBefore ? normaliseTime(request.notBefore, 'notBefore') : ledgerTime(now);
  const notAfter = request.notAfter ? normaliseTime(request.notAfter, 'notAfter') : null;
  if (notAfter !== null && notAfter <= notBefore) throw new KeyAdminError('bad-window', `notAfter (${notAfter}) must be after notBefore (${notBefore})`);
  const body: KeyBody = { action: 'register', key, name: request.name, roles: request.roles, notBefore, notAfter };
  await withKeysChain(ctx, root, (writer) => writer.append({ chain: KEYS_CHAIN, type: 'key', body, eventId: keyRegistrationId(key, request.name), signer: root }));
  return body;
}

/** Revokes a key from now on: what it signed before stays valid; what it signs from now on does not. */
export async function revokeKey(ctx: KeyAdminContext, root: Signer, did: string): Promise<KeyBody> {
  return withKeysChain(ctx, root, async (writer, store) => {
    const registry = await keyRegistryOf(storeSource(store).keyRecords(), root.did);
    const { registrations } = registry.describe(did);
    if (registrations.length === 0) throw new KeyAdminError('not-registered', `${did} was never registered in chain keys`);
    const last = registrations[registrations.length - 1];
    const body: KeyBody = { action: 'revoke', key: did, name: last.name, roles: [...last.roles], notBefore: ledgerTime((ctx.clock ?? systemClock).now()), notAfter: null };
    await writer.append({ chain: KEYS_CHAIN, type: 'key', body, eventId: keyRevocationId(did, last.name), signer: root });
    return body;
  });
}

export interface RotationResult {
  name: string;
  previous: string;
  next: string;
  roles: Role[];
}

/**
 * Replaces a service key: a new key is generated in the service's key store, registered with
 * the old key's roles, the old key revoked from that moment, and the new secret moved into
 * place (the old secret is deleted). What the old key signed keeps verifying: revocation only
 * concerns entries timed after it. The service must be stopped; a rotation cut short is
 * completed by running it again.
 */
export async function rotateKey(ctx: KeyAdminContext, root: Signer, name: string): Promise<RotationResult> {
  const unlock = lockDataDir(ctx.dataDir);
  try {
    const keys = join(ctx.dataDir, 'keys');
    const previous = existsSync(join(keys, `${name}.did`)) ? readFileSync(join(keys, `${name}.did`), 'utf8').trim() : null;
    if (!previous) throw new KeyAdminError('no-such-key', `${keys} holds no key named "${name}"`);
    const staging = join(keys, ROTATION_DIR);
    const next = await new FileKeyStore(staging).signer(name);
    const roles = await withKeysChain(ctx, root, async (writer, store) => {
      const registry = await keyRegistryOf(storeSource(store).keyRecords(), root.did);
      const registration = registry.describe(previous).registrations.at(-1);
      if (!registration) throw new KeyAdminError('not-registered', `${name} (${previous}) is not registered in chain keys; register it instead of rotating`);
      const now = ledgerTime((ctx.clock ?? systemClock).now());
      const register: KeyBody = { action: 'register', key: next.did, name, roles: [...registration.roles], notBefore: now, notAfter: registration.notAfter };
      await writer.append({ chain: KEYS_CHAIN, type: 'key', body: register, eventId: keyRegistrationId(next.did, name), signer: root });
      const revoke: KeyBody = { action: 'revoke', key: previous, name, roles: [...registration.roles], notBefore: now, notAfter: null };
      await writer.append({ chain: KEYS_CHAIN, type: 'key', body: revoke, eventId: keyRevocationId(previous, name), signer: root });
      return [...registration.roles];
    });
    renameSync(join(staging, `${name}.key`), join(keys, `${name}.key`));
    renameSync(join(staging, `${name}.did`), join(keys, `${name}.did`));
    rmSync(staging, { recursive: true, force: true });
    return { name, previous, next: next.did, roles };
  } finally {
    unlock();
  }
}

/** Each named key of a data directory's key store, with what chain `keys` grants it (when a root is known). */
export async function describeServiceKeys(dataDir: string, names: string[], esdb?: string): Promise<ServiceKey[]> {
  const keys = join(dataDir, 'keys');
  const rootDid = existsSync(join(keys, 'root.did')) ? readFileSync(join(keys, 'root.did'), 'utf8').trim() : null;
  const dids = await Promise.all(names.map((name) => serviceKey(dataDir, name)));
  if (!rootDid || (!esdb && !existsSync(join(dataDir, 'events.db')))) return names.map((name, i) => ({ name, did: dids[i], roles: null, revoked: null }));
  const store = openEventStore(dataDir, esdb);
  try {
    const registry = await keyRegistryOf(storeSource(store).keyRecords(), rootDid);
    const now = new Date().toISOString();
    return names.map((name, i) => {
      const { registrations, revokedAt } = registry.describe(dids[i]);
      const roles = [...new Set(registrations.flatMap((r) => r.roles))].filter((role) => registry.status(dids[i], role, now) === 'valid');
      return { name, did: dids[i], roles, revoked: revokedAt };
    });
  } finally {
    await store.close();
  }
}
