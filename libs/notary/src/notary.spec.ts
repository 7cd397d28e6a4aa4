import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BusMessage } from '@arbiter/bus';
import { SqliteBus } from '@arbiter/bus-sqlite';
import { ManualClock } from '@arbiter/clock';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import {
  CHECKPOINTS_STREAM, CHECKPOINTS_TOPIC, ChainWriter, Signer, didKeyFromPublicKey, generateSecretKey, nativeSigningKey, parseCheckpoint,
  publicKeyOf, signNative, storeSource, verifyConsistency, verifyInclusion, verifyLedger, ProofRequestError, leafHash,
} from '@arbiter/ledger';
import { exampleDecisionBody } from '@arbiter/ledger/testing';
import { PgliteReadModelStore } from '@arbiter/read-models-pglite';
import { LedgerProofs } from './ledger-proofs';
import { MerkleLogStore } from './merkle-log-store';
import { notaryMigrations } from './migrations';
import { Notary, NotaryError } from './notary';

function newSigner(name: string): Signer {
  const secret = generateSecretKey();
  const key = nativeSigningKey(secret);
  return { name, did: didKeyFromPublicKey(publicKeyOf(secret)), sign: async (m) => signNative(key, m) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

async function notes(store: SqliteEventStore): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of store.readStream(CHECKPOINTS_STREAM)) out.push(Buffer.from(e.data).toString('utf8'));
  } catch {
    // No checkpoint yet.
  }
  return out;
}

describe('the notary', () => {
  const root = newSigner('root');
  const reasoner = newSigner('reasoner');
  const notarySigner = newSigner('notary');
  let dir: string;
  let store: SqliteEventStore;
  let readModels: PgliteReadModelStore;
  let bus: SqliteBus;
  let writer: ChainWriter;
  let notary: Notary | null;
  let n: number;

  const newNotary = (intervalMs = 50) => new Notary({ store, readModels, bus, ledger: 'acme', signer: notarySigner, intervalMs });
  const decide = async (count: number, customers = 3) => {
    for (let i = 0; i < count; i++, n++) {
      await writer.append({
        chain: `decisions-cus_${n % customers}`, type: 'decision', signer: reasoner, eventId: `00000000-0000-5000-8000-${String(n).padStart(12, '0')}`,
        body: exampleDecisionBody(`e${n}`),
      });
    }
  };
  const leaves = async () => {
    let count = 0;
    for await (const _ of store.readAll({ filter: { eventTypePrefixes: ['arbiter.ledger.v1.'] } })) count++;
    return count;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'arbiter-notary-'));
    store = new SqliteEventStore(join(dir, 'events.db'));
    readModels = await PgliteReadModelStore.open(join(dir, 'read-models'));
    await readModels.migrate(notaryMigrations);
    bus = new SqliteBus(join(dir, 'bus.db'));
    writer = new ChainWriter(store, 'acme', new ManualClock('2026-04-01T00:00:00.000Z'));
    n = 0;
    for (const [key, roles] of [[reasoner, ['decide']], [notarySigner, ['checkpoint']]] as const) {
      await writer.append({
        chain: 'keys', type: 'key', signer: root, eventId: `00000000-0000-5000-9000-00000000000${roles[0].length}`,
        body: { action: 'register', key: key.did, name: key.name, roles: [...roles], notBefore: '2026-01-01T00:00:00.000Z', notAfter: null },
      });
    }
    notary = null;
  });

  afterEach(async () => {
    await notary?.stop();
    await bus.close();
    await readModels.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('folds every ledger record into the tree and signs a checkpoint the verifier accepts', async () => {
    notary = newNotary();
    await notary.start();
    await decide(40);
    const total = await leaves();
    await until(async () => (await notes(store)).map(parseCheckpoint).find((c) => c.size === BigInt(total)));
    const { report } = await verifyLedger(storeSource(store), { trustRoot: root.did, workers: 0 });
    expect(report).toMatchObject({ ok: true, entries: total, checkpoint: { size: total } });
  });

  it('signs again while entries keep arriving, and once more on shutdown', async () => {
    notary = newNotary(100);
    await notary.start();
    for (let round = 0; round < 4; round++) {
      await decide(5);
      await sleep(150);
    }
    await decide(3);
    await notary.stop();
    notary = null;
    const sizes = (await notes(store)).map((note) => Number(parseCheckpoint(note).size));
    expect(sizes.length).toBeGreaterThanOrEqual(4);
    expect(sizes[sizes.length - 1]).toBe(await leaves());
    expect([...sizes].sort((a, b) => a - b)).toEqual(sizes);
  });

  it('publishes each checkpoint on the bus topic arbiter.checkpoints', async () => {
    notary = newNotary();
    await notary.start();
    await decide(10);
    const total = await leaves();
    const received: BusMessage[] = [];
    const consumer = await bus.consume({ group: 'auditor', topics: [CHECKPOINTS_TOPIC], eachBatch: async (b) => void received.push(...b.messages) });
    try {
      const message = await until(async () => received.find((m) => parseCheckpoint(Buffer.from(m.value).toString('utf8')).size === BigInt(total)));
      expect(message.key).toBe('acme');
    } finally {
      await consumer.stop();
    }
  });

  it('does not count its own checkpoints as leaves', async () => {
    notary = newNotary();
    await notary.start();
    await decide(5);
    await until(async () => (await notes(store)).length > 0);
    await sleep(200);
    expect(notary.size).toBe(await leaves());
  });

  it('serves inclusion and consistency proofs that verify against its signed roots', async () => {
    notary = newNotary();
    await notary.start();
    await decide(9);
    const first = await until(async () => (await notes(store)).map(parseCheckpoint).find((c) => c.size === BigInt(11)));
    await decide(14);
    const second = await until(async () => (await notes(store)).map(parseCheckpoint).find((c) => c.size === BigInt(25)));
    const proofs = new LedgerProofs(store, readModels);
    const decode = (p: string[]) => p.map((h) => new Uint8Array(Buffer.from(h, 'base64')));
    for (let leaf = 0; leaf < 25; leaf++) {
      const answer = await proofs.inclusion(leaf, 25);
      const hash = leafHash(Buffer.from(answer.entry!.hash, 'hex'));
      expect(verifyInclusion(BigInt(leaf), 25n, hash, decode(answer.proof), second.root)).toBe(true);
    }
    const consistency = await proofs.consistency(11, 25);
    expect(verifyConsistency(11n, 25n, decode(consistency.proof), first.root, second.root)).toBe(true);
    expect((await proofs.checkpoint())?.size).toBe(25);
  });

  it.each([
    ['a leaf beyond the size', (p: LedgerProofs) => p.inclusion(5, 5)],
    ['a size beyond the log', (p: LedgerProofs) => p.inclusion(0, 1000)],
    ['a size of zero', (p: LedgerProofs) => p.consistency(0, 0)],
    ['from after to', (p: LedgerProofs) => p.consistency(4, 3)],
  ])('refuses a proof request with %s', async (_why, ask) => {
    notary = newNotary();
    await notary.start();
    await decide(5);
    await until(async () => notary!.size === 7);
    await expect(ask(new LedgerProofs(store, readModels))).rejects.toThrow(ProofRequestError);
  });

  it('resumes from its persisted tree after a restart, and rebuilds the same tree from the store after a reset', async () => {
    notary = newNotary();
    await notary.start();
    await decide(12);
    await notary.stop();
    notary = newNotary();
    await notary.start();
    await decide(6);
    const total = await leaves();
    const before = await until(async () => (await notes(store)).map(parseCheckpoint).find((c) => c.size === BigInt(total)));
    await notary.stop();
    await new MerkleLogStore(readModels).reset();
    notary = newNotary();
    await notary.start();
    await until(async () => notary!.size === total);
    const proofs = new LedgerProofs(store, readModels);
    const consistency = await proofs.consistency(total, total);
    expect(consistency.proof).toEqual([]);
    const inclusion = await proofs.inclusion(total - 1, total);
    expect(verifyInclusion(BigInt(total - 1), BigInt(total), leafHash(Buffer.from(inclusion.entry!.hash, 'hex')), inclusion.proof.map((h) => Buffer.from(h, 'base64')), before.root)).toBe(true);
  });

  it('lets one process notarise: a second notary stands by while the first holds the lease', async () => {
    notary = newNotary();
    await notary.start();
    const second = newNotary();
    await second.start();
    try {
      expect(notary.active).toBe(true);
      expect(second.active).toBe(false);
    } finally {
      await second.stop();
    }
  });

  it('resumes from its persisted tree after the read models fail, losing nothing', async () => {
    let failures = 2;
    const flaky: typeof readModels = Object.assign(Object.create(readModels) as typeof readModels, {
      transaction: <T>(work: Parameters<typeof readModels.transaction<T>>[0]) => {
        if (failures-- > 0) return Promise.reject(new Error('read models unavailable'));
        return readModels.transaction(work);
      },
    });
    notary = new Notary({ store, readModels: flaky, bus, ledger: 'acme', signer: notarySigner, intervalMs: 50 });
    await notary.start();
    await decide(9);
    const total = await leaves();
    await until(async () => (await notes(store)).map(parseCheckpoint).find((c) => c.size === BigInt(total)), 20_000);
    expect(failures).toBeLessThan(0);
    const { report } = await verifyLedger(storeSource(store), { trustRoot: root.did, workers: 0 });
    expect(report).toMatchObject({ ok: true, checkpoint: { size: total } });
  });

  it('refuses to go on when a rebuilt tree no longer matches a root it signed', async () => {
    notary = newNotary();
    await notary.start();
    await decide(6);
    await until(async () => (await notes(store)).map(parseCheckpoint).find((c) => c.size === 8n));
    await notary.stop();
    const db = new (await import('better-sqlite3')).default(join(dir, 'events.db'));
    const row = db.prepare("SELECT position, data FROM events WHERE stream = 'decisions-cus_0' ORDER BY revision LIMIT 1").get() as { position: number; data: Buffer };
    db.prepare('UPDATE events SET data = ? WHERE position = ?').run(Buffer.from(row.data.toString().replace(/"hash":"[0-9a-f]{64}"/, `"hash":"${'0'.repeat(64)}"`)), row.position);
    db.close();
    await new MerkleLogStore(readModels).reset();
    notary = newNotary();
    await notary.start();
    const failure = await until(async () => notary!.failed);
    expect(failure).toBeInstanceOf(NotaryError);
    expect((failure as NotaryError).code).toBe('log-diverged');
  });
});
