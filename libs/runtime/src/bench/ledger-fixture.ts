import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import type { NewEvent } from '@arbiter/event-store';
import {
  CHECKPOINTS_STREAM, CHECKPOINT_EVENT_TYPE, Entry, LedgerRecord, MerkleFrontier, Signer, canonicalize, checkpointOrigin, didKeyFromPublicKey,
  exportBundle, generateSecretKey, leafHash, ledgerEventType, nativeSigningKey, publicKeyOf, signCheckpoint, signEntry, signNative,
} from '@arbiter/ledger';

/** Bump when what the fixture writes changes, so old caches are not reused. */
const FORMAT = 'v1';
const PER_CUSTOMER = 100;
const BATCH = 10;

export interface LedgerFixture {
  dir: string;
  /** The data directory's store and an `--all` bundle of it: the same ledger, twice. */
  store: string;
  bundle: string;
  trustRoot: string;
  entries: number;
  /** Average stored record size. */
  recordBytes: number;
}

function newSigner(name: string): Signer {
  const secret = generateSecretKey();
  const key = nativeSigningKey(secret);
  return { name, did: didKeyFromPublicKey(publicKeyOf(secret)), sign: async (m) => signNative(key, m) };
}

/** A decision body of the shape the decision engine writes, trimmed of the memory snapshot. */
function decisionBody(n: number, customer: string): Entry['body'] {
  return {
    decisionId: `00000000-0000-5000-8000-${n.toString(16).padStart(12, '0')}`,
    decisionPoint: 'order.fulfillment',
    subject: customer,
    trigger: { eventId: `evt-${n}`, type: 'order.placed', source: '/commerce/orders', topic: 'commerce.orders', partition: n % 6, offset: String(n), digest: 'ab'.repeat(32) },
    policy: { id: 'order-fulfillment', version: 3, digest: 'cd'.repeat(32) },
    context: { memoryDigest: 'ef'.repeat(32), facts: { orders: n % 17, lifetimeValueCents: 1000 * (n % 97), segment: n % 2 ? 'consumer' : 'business' } },
    reasoner: { kind: 'heuristic', name: 'order-fulfillment/1' },
    proposal: { type: 'fulfill.ship-from', params: { warehouseId: 'wh-ams', promisedDays: 2 }, confidenceBps: 9000, rationale: 'wh-ams has every item and reaches the address in 2 days' },
    verdict: {
      outcome: 'approved',
      checks: [
        { check: 'action-allowed', result: 'pass', detail: '"fulfill.ship-from" is allowed' },
        { check: 'param:warehouseId', result: 'pass', detail: 'wh-ams is allowed' },
        { check: 'param:promisedDays', result: 'pass', detail: '2 within 1..10' },
      ],
    },
    action: { type: 'fulfill.ship-from', params: { warehouseId: 'wh-ams', promisedDays: 2 } },
  };
}

/**
 * A signed ledger of `entries` records (two key registrations, then decisions about
 * entries/100 customers, interleaved in batches of 10) with a checkpoint of all of it, in an
 * embedded store and as a bundle. Generating a million takes a minute, so it is cached under
 * the OS temp directory, keyed by count and format.
 */
export async function ledgerFixture(entries: number, onProgress?: (done: number, total: number) => void): Promise<LedgerFixture> {
  const dir = join(tmpdir(), `arbiter-bench-ledger-${FORMAT}-${entries}`);
  const ready = join(dir, 'fixture.json');
  if (existsSync(ready)) return JSON.parse(readFileSync(ready, 'utf8')) as LedgerFixture;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const fixture = await generate(dir, entries, onProgress);
  writeFileSync(ready, JSON.stringify(fixture));
  return fixture;
}

async function generate(dir: string, entries: number, onProgress?: (done: number, total: number) => void): Promise<LedgerFixture> {
  const root = newSigner('root');
  const reasoner = newSigner('reasoner');
  const notary = newSigner('notary');
  const storeFile = join(dir, 'events.db');
  const store = new SqliteEventStore(storeFile, { synchronous: 'NORMAL' });
  const frontier = new MerkleFrontier();
  const heads = new Map<string, LedgerRecord>();
  let clock = Date.parse('2026-01-01T00:00:00.000Z');
  let bytes = 0;

  const sign = async (chain: string, type: Entry['type'], body: Entry['body'], signer: Signer): Promise<NewEvent> => {
    const prev = heads.get(chain);
    const record = await signEntry({ v: 1, ledger: 'bench', chain, seq: prev ? prev.seq + 1 : 0, prev: prev?.hash ?? null, time: new Date(clock++).toISOString(), type, signer: signer.did, body }, signer);
    heads.set(chain, record);
    frontier.append(leafHash(Buffer.from(record.hash, 'hex')));
    const data = Buffer.from(canonicalize(record));
    bytes += data.length;
    return { id: randomUUID(), type: ledgerEventType(type), data };
  };
  const append = async (chain: string, events: NewEvent[]) => {
    const before = heads.get(chain)!.seq - events.length;
    await store.append(chain, events, before < 0 ? 'no_stream' : BigInt(before));
  };

  try {
    const keys = [];
    for (const [key, roles] of [[reasoner, ['decide']], [notary, ['checkpoint']]] as const) {
      keys.push(await sign('keys', 'key', { action: 'register', key: key.did, name: key.name, roles: [...roles], notBefore: '2025-01-01T00:00:00.000Z', notAfter: null }, root));
    }
    await append('keys', keys);
    const decisions = entries - 2;
    const customers = Math.max(1, Math.ceil(decisions / PER_CUSTOMER));
    let n = 0;
    while (n < decisions) {
      for (let c = 0; c < customers && n < decisions; c++) {
        const customer = `cus_${c}`;
        const batch = [];
        for (let i = 0; i < BATCH && n < decisions; i++, n++) batch.push(await sign(`decisions-${customer}`, 'decision', decisionBody(n, customer), reasoner));
        await append(`decisions-${customer}`, batch);
      }
      onProgress?.(n, decisions);
    }
    const note = await signCheckpoint({ origin: checkpointOrigin('bench'), size: BigInt(frontier.size), root: frontier.root() }, notary);
    await store.append(CHECKPOINTS_STREAM, [{ id: randomUUID(), type: CHECKPOINT_EVENT_TYPE, data: Buffer.from(note) }], 'no_stream');
    const bundle = join(dir, 'all.bundle.json');
    await exportBundle(store, { scope: { all: true }, out: bundle });
    return { dir, store: dir, bundle, trustRoot: root.did, entries: frontier.size, recordBytes: Math.round(bytes / frontier.size) };
  } finally {
    await store.close();
  }
}
