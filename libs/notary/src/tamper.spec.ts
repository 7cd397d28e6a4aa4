import Database from 'better-sqlite3';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SqliteBus } from '@arbiter/bus-sqlite';
import { ManualClock } from '@arbiter/clock';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import {
  CHECKPOINTS_STREAM, CHECKPOINT_EVENT_TYPE, ChainWriter, MemoryMerkleTree, consistencyProof, ledgerLeaf, FailureCode, FileWitness, LedgerVerification, Signer, bundleSource, canonicalize,
  checkpointOrigin, didKeyFromPublicKey, exportBundle, generateSecretKey, leafHash, ledgerEventType, nativeSigningKey, parseCheckpoint,
  publicKeyOf, sha256Hex, signCheckpoint, signEntry, signNative, storeSource, verifyConsistency, verifyLedger, LedgerRecord, entryOf, canonicalBytes,
} from '@arbiter/ledger';
import { PgliteReadModelStore } from '@arbiter/read-models-pglite';
import { LedgerProofs } from './ledger-proofs';
import { latestCheckpoint } from './checkpoint-log';
import { notaryMigrations } from './migrations';
import { Notary } from './notary';

function newSigner(name: string): Signer {
  const secret = generateSecretKey();
  const key = nativeSigningKey(secret);
  return { name, did: didKeyFromPublicKey(publicKeyOf(secret)), sign: async (m) => signNative(key, m) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A decision body with every member LEDGER-SPEC §4 names, as the decision engine writes it. */
function decisionBody(eventId: string, refundCents: number): LedgerRecord['body'] {
  return {
    decisionId: randomUUID(),
    decisionPoint: 'dispute.resolution',
    trigger: { eventId, type: 'dispute.opened', source: '/shop/disputes', digest: sha256Hex(canonicalBytes({ id: eventId })) },
    policy: { id: 'disputes', version: 1, digest: 'cd'.repeat(32) },
    context: { memoryDigest: 'ef'.repeat(32) },
    reasoner: { kind: 'heuristic' },
    proposal: { type: 'refund', params: { refundCents } },
    verdict: { outcome: 'approved', checks: [] },
    action: { type: 'refund', params: { refundCents } },
  };
}
const root = newSigner('root');
const reasoner = newSigner('reasoner');
const notaryKey = newSigner('notary');

/** A ledger written by the real ChainWriter into a real embedded store, notarised by the real notary. */
class LedgerUnderTest {
  readonly dir = mkdtempSync(join(tmpdir(), 'arbiter-tamper-'));
  private readonly clock: ManualClock;
  private decisions = 0;

  constructor(start = '2026-04-01T00:00:00.000Z') {
    this.clock = new ManualClock(start);
  }
  store!: SqliteEventStore;
  private readModels!: PgliteReadModelStore;
  private bus!: SqliteBus;

  get file(): string {
    return join(this.dir, 'events.db');
  }

  async open(): Promise<ChainWriter> {
    this.store = new SqliteEventStore(this.file);
    this.readModels = await PgliteReadModelStore.open(join(this.dir, 'read-models'));
    await this.readModels.migrate(notaryMigrations);
    this.bus = new SqliteBus(join(this.dir, 'bus.db'));
    return new ChainWriter(this.store, 'acme', this.clock);
  }

  async registerKeys(writer: ChainWriter): Promise<void> {
    for (const [key, roles] of [[reasoner, ['decide', 'review', 'policy']], [notaryKey, ['checkpoint']]] as const) {
      await writer.append({
        chain: 'keys', type: 'key', signer: root, eventId: randomUUID(),
        body: { action: 'register', key: key.did, name: key.name, roles: [...roles], notBefore: '2026-01-01T00:00:00.000Z', notAfter: null },
      });
    }
  }

  async decide(writer: ChainWriter, count: number, tag = 'main'): Promise<void> {
    for (let i = 0; i < count; i++, this.decisions++) {
      this.clock.advance(1000);
      const n = this.decisions;
      await writer.append({
        chain: `decisions-cus_${n % 3}`, type: 'decision', signer: reasoner, eventId: randomUUID(),
        body: decisionBody(`${tag}-e${n}`, 500 + n),
      });
    }
  }

  /** Runs the notary until it has signed a checkpoint of every record, then stops it (its closing checkpoint). */
  async notarise(): Promise<void> {
    const notary = new Notary({ store: this.store, readModels: this.readModels, bus: this.bus, ledger: 'acme', signer: notaryKey, intervalMs: 30 });
    await notary.start();
    let total = 0;
    for await (const _ of this.store.readAll({ filter: { eventTypePrefixes: ['arbiter.ledger.v1.'] } })) total++;
    for (let i = 0; i < 500 && Number((await latestCheckpoint(this.store))?.checkpoint.size ?? -1) < total; i++) await sleep(20);
    await notary.stop();
  }

  async close(): Promise<void> {
    await this.bus.close();
    await this.readModels.close();
    await this.store.close();
  }
}

let full: LedgerUnderTest;
let early: string;
let fork: LedgerUnderTest;
let shortFork: LedgerUnderTest;
let scratch: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'arbiter-tamper-copies-'));
  full = new LedgerUnderTest();
  let writer = await full.open();
  await full.registerKeys(writer);
  await full.decide(writer, 18);
  await full.notarise();
  await full.close();
  early = join(scratch, 'early.db');
  copyFileSync(full.file, early);

  fork = new LedgerUnderTest('2026-04-02T00:00:00.000Z');
  copyFileSync(early, fork.file);
  writer = await fork.open();
  await fork.decide(writer, 12, 'fork');
  await fork.notarise();
  await fork.close();

  shortFork = new LedgerUnderTest('2026-04-03T00:00:00.000Z');
  copyFileSync(early, shortFork.file);
  writer = await shortFork.open();
  await shortFork.decide(writer, 5, 'short');
  await shortFork.notarise();
  await shortFork.close();

  writer = await full.open();
  await full.decide(writer, 12);
  await full.notarise();
  await full.close();
}, 120_000);

const extendedLedgers: LedgerUnderTest[] = [];

afterAll(() => {
  for (const dir of [full.dir, fork.dir, shortFork.dir, scratch, ...extendedLedgers.map((l) => l.dir)]) rmSync(dir, { recursive: true, force: true });
});

/** A copy of a ledger's store, changed by `change` through SQL: what an attacker with the file can do. */
function tampered(source: string, change: (db: Database.Database) => void): string {
  const file = join(scratch, `${randomUUID()}.db`);
  copyFileSync(source, file);
  const db = new Database(file);
  change(db);
  db.close();
  return file;
}

interface Row {
  position: number;
  stream: string;
  revision: number;
  data: Buffer;
}

const rowAt = (db: Database.Database, stream: string, revision: number) => db.prepare('SELECT position, stream, revision, data FROM events WHERE stream = ? AND revision = ?').get(stream, revision) as Row;
const record = (row: Row) => JSON.parse(row.data.toString('utf8')) as LedgerRecord;
const setData = (db: Database.Database, row: Row, text: string) => db.prepare('UPDATE events SET data = ? WHERE position = ?').run(Buffer.from(text), row.position);

async function verifyFile(file: string, witnessDir?: string): Promise<LedgerVerification> {
  const store = new SqliteEventStore(file);
  try {
    return await verifyLedger(storeSource(store), { trustRoot: root.did, workers: 0, witness: witnessDir ? new FileWitness(witnessDir) : undefined });
  } finally {
    await store.close();
  }
}

const codes = (v: LedgerVerification): FailureCode[] => [...new Set(v.report.failures.map((f) => f.code))].sort();

async function resign(r: LedgerRecord, signer: Signer): Promise<LedgerRecord> {
  return signEntry({ ...entryOf(r), signer: signer.did }, signer);
}

describe('tampering with a ledger in its store is detected, with the exact failure code', () => {
  it('accepts the untouched ledger, its checkpoint covering every record', async () => {
    const { report } = await verifyFile(full.file);
    expect(report).toMatchObject({ ok: true, entries: 32, chains: 4, checkpoint: { size: 32 }, failures: [] });
  });

  it('reports a payload edited in place as a hash mismatch and a bad signature', async () => {
    const file = tampered(full.file, (db) => {
      const row = rowAt(db, 'decisions-cus_1', 3);
      setData(db, row, row.data.toString().replace(/"refundCents":\d+/, '"refundCents":99999'));
    });
    const v = await verifyFile(file);
    expect(codes(v)).toEqual(['bad-signature', 'hash-mismatch']);
    expect(v.report.failures.every((f) => f.chain === 'decisions-cus_1' && f.seq === 3)).toBe(true);
  });

  it('reports a payload edited with its hash recomputed as a bad signature, a broken link after it, and a root the checkpoint did not sign', async () => {
    const file = tampered(full.file, (db) => {
      const row = rowAt(db, 'decisions-cus_1', 3);
      const r = record(row);
      (r.body.action as { params: { refundCents: number } }).params.refundCents = 99999;
      r.hash = sha256Hex(canonicalBytes(entryOf(r)));
      setData(db, row, canonicalize(r));
    });
    const v = await verifyFile(file);
    expect(codes(v)).toEqual(['bad-signature', 'broken-link', 'root-mismatch']);
    expect(v.report.failures.find((f) => f.code === 'broken-link')).toMatchObject({ chain: 'decisions-cus_1', seq: 4 });
  });

  it('reports one flipped signature bit as a bad signature and nothing else', async () => {
    const file = tampered(full.file, (db) => {
      const row = rowAt(db, 'decisions-cus_2', 5);
      const r = record(row);
      const sig = Buffer.from(r.sig, 'base64url');
      sig[17] ^= 0x04;
      r.sig = sig.toString('base64url');
      setData(db, row, canonicalize(r));
    });
    const v = await verifyFile(file);
    expect(codes(v)).toEqual(['bad-signature']);
    expect(v.report.failures[0]).toMatchObject({ chain: 'decisions-cus_2', seq: 5 });
  });

  it('reports two records of different chains swapped in the global order as a root mismatch: every chain alone still verifies', async () => {
    const file = tampered(full.file, (db) => {
      const a = rowAt(db, 'decisions-cus_0', 2);
      const b = rowAt(db, 'decisions-cus_1', 2);
      db.prepare('UPDATE events SET position = -1 WHERE position = ?').run(a.position);
      db.prepare('UPDATE events SET position = ? WHERE position = ?').run(a.position, b.position);
      db.prepare('UPDATE events SET position = ? WHERE position = -1').run(b.position);
    });
    expect(codes(await verifyFile(file))).toEqual(['root-mismatch']);
  });

  it('reports a record deleted from the middle of a chain as a gap, the log as shorter than its checkpoint, and the older checkpoint (20 leaves) as no longer matching', async () => {
    const file = tampered(full.file, (db) => void db.prepare('DELETE FROM events WHERE position = ?').run(rowAt(db, 'decisions-cus_1', 4).position));
    const v = await verifyFile(file);
    expect(codes(v)).toEqual(['root-mismatch', 'seq-gap', 'truncated']);
    expect(v.report.failures.find((f) => f.code === 'seq-gap')).toMatchObject({ chain: 'decisions-cus_1', seq: 5 });
  });

  it('reports the tail cut off as truncated', async () => {
    const file = tampered(full.file, (db) => {
      const positions = db.prepare("SELECT position FROM events WHERE type LIKE 'arbiter.ledger.v1.%' ORDER BY position DESC LIMIT 3").all() as { position: number }[];
      for (const { position } of positions) db.prepare('DELETE FROM events WHERE position = ?').run(position);
    });
    const v = await verifyFile(file);
    expect(codes(v)).toEqual(['truncated']);
    expect(v.report.entries).toBe(29);
  });

  it('reports a whole chain deleted as truncated, and the older checkpoint (20 leaves) as no longer matching', async () => {
    const file = tampered(full.file, (db) => void db.prepare("DELETE FROM events WHERE stream = 'decisions-cus_2'").run());
    const v = await verifyFile(file);
    expect(codes(v)).toEqual(['root-mismatch', 'truncated']);
    expect(v.report.chains).toBe(3);
  });

  it('reports a record re-signed with a key the root never registered as an unknown signer, whose leaf the checkpoint did not sign', async () => {
    const original = JSON.parse(readRecord(full.file, 'decisions-cus_0', 9).toString('utf8')) as LedgerRecord;
    const forged = await resign({ ...original, body: { ...original.body, action: { type: 'refund', params: { refundCents: 99999 } } } }, newSigner('reasoner'));
    const v = await verifyFile(tampered(full.file, (db) => void setData(db, rowAt(db, 'decisions-cus_0', 9), canonicalize(forged))));
    expect(codes(v)).toEqual(['root-mismatch', 'unknown-signer']);
    expect(v.report.failures.find((f) => f.code === 'unknown-signer')).toMatchObject({ chain: 'decisions-cus_0', seq: 9 });
  });

  it('reports a forgery under a small-order key (R = identity, S = 0) as a weak key, which the root never registered', async () => {
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const head = JSON.parse(readRecord(full.file, 'decisions-cus_1', 9).toString('utf8')) as LedgerRecord;
    const entry = { ...entryOf(head), seq: 10, prev: head.hash, time: '2026-04-01T01:00:00.000Z', signer: didKeyFromPublicKey(identity), body: decisionBody('forged', 99999) };
    const sig = new Uint8Array(64);
    sig[0] = 1;
    const forged = { ...entry, hash: sha256Hex(canonicalBytes(entry)), sig: Buffer.from(sig).toString('base64url') };
    const file = join(scratch, `${randomUUID()}.db`);
    copyFileSync(full.file, file);
    const store = new SqliteEventStore(file);
    await store.append('decisions-cus_1', [{ id: randomUUID(), type: ledgerEventType('decision'), data: Buffer.from(canonicalize(forged)) }], 9n);
    await store.close();
    const v = await verifyFile(file);
    expect(codes(v)).toEqual(['unknown-signer', 'weak-key']);
    expect(v.report.failures.every((f) => f.chain === 'decisions-cus_1' && f.seq === 10 && f.leaf === 32)).toBe(true);
  });

  it('reports duplicate member names as malformed, and only that', async () => {
    const file = tampered(full.file, (db) => {
      const row = rowAt(db, 'decisions-cus_0', 4);
      setData(db, row, row.data.toString().replace('{"action":', '{"action":{"type":"refund","params":{"refundCents":1}},"action":'));
    });
    const v = await verifyFile(file);
    expect(codes(v)).toEqual(['malformed']);
    expect(v.report.failures[0].message).toMatch(/duplicate member name "action"/);
  });

  it('reports a malformed entry re-signed by a key the root never registered as malformed and as an unknown signer', async () => {
    const original = JSON.parse(readRecord(full.file, 'decisions-cus_0', 9).toString('utf8')) as LedgerRecord;
    const forged = await resign({ ...original, body: { ...original.body, decisionId: 'not-a-uuid' } }, newSigner('reasoner'));
    const v = await verifyFile(tampered(full.file, (db) => void setData(db, rowAt(db, 'decisions-cus_0', 9), canonicalize(forged))));
    expect(codes(v)).toEqual(['malformed', 'root-mismatch', 'unknown-signer']);
    expect(v.report.failures.filter((f) => f.code !== 'root-mismatch').every((f) => f.chain === 'decisions-cus_0' && f.seq === 9)).toBe(true);
  });

  it('reports a non-integer number as malformed, and only that', async () => {
    const file = tampered(full.file, (db) => {
      const row = rowAt(db, 'decisions-cus_2', 2);
      setData(db, row, row.data.toString().replace(/"refundCents":(\d+)/, '"refundCents":$1.0'));
    });
    const v = await verifyFile(file);
    expect(codes(v)).toEqual(['malformed']);
    expect(v.report.failures[0]).toMatchObject({ chain: 'decisions-cus_2', seq: 2 });
  });

  it('reports a checkpoint signed by a key not registered for checkpoints, and keeps trusting the genuine one', async () => {
    const impostor = newSigner('notary');
    const note = await signCheckpoint({ origin: checkpointOrigin('acme'), size: 40n, root: new Uint8Array(32).fill(9) }, impostor);
    const file = join(scratch, `${randomUUID()}.db`);
    copyFileSync(full.file, file);
    const store = new SqliteEventStore(file);
    await store.append(CHECKPOINTS_STREAM, [{ id: randomUUID(), type: CHECKPOINT_EVENT_TYPE, data: Buffer.from(note) }], 'any');
    await store.close();
    const v = await verifyFile(file);
    expect(codes(v)).toEqual(['checkpoint-signature']);
    expect(v.report.checkpoint?.size).toBe(32);
  });

  it('reports the newest checkpoint with its root altered as not validly signed and its root as not the log\'s, and falls back to the one before it (20 leaves)', async () => {
    const file = tampered(full.file, (db) => {
      const newest = db.prepare('SELECT position, data FROM events WHERE stream = ? ORDER BY position DESC LIMIT 1').get(CHECKPOINTS_STREAM) as { position: number; data: Buffer };
      const lines = newest.data.toString('utf8').split('\n');
      lines[2] = Buffer.alloc(32, 7).toString('base64');
      db.prepare('UPDATE events SET data = ? WHERE position = ?').run(Buffer.from(lines.join('\n')), newest.position);
    });
    const v = await verifyFile(file);
    expect(codes(v)).toEqual(['checkpoint-signature', 'root-mismatch']);
    expect(v.report.checkpoint?.size).toBe(20);
  });

  it('reports an entry replayed from another ledger of the same operator, which every key would accept, as malformed', async () => {
    const other = await signEntry(
      { v: 1, ledger: 'other', chain: 'decisions-cus_7', seq: 0, prev: null, time: '2026-04-01T02:00:00.000Z', type: 'decision', signer: reasoner.did, body: decisionBody('x', 1) },
      reasoner,
    );
    const file = join(scratch, `${randomUUID()}.db`);
    copyFileSync(full.file, file);
    const store = new SqliteEventStore(file);
    await store.append('decisions-cus_7', [{ id: randomUUID(), type: ledgerEventType('decision'), data: Buffer.from(canonicalize(other)) }], 'no_stream');
    await store.close();
    const v = await verifyFile(file);
    expect(codes(v)).toEqual(['malformed']);
    expect(v.report.failures[0].message).toMatch(/ledger "other", not "acme"/);
  });

  it('reports a checkpoint older than the witnessed one as a rollback, keeping both notes as evidence', async () => {
    const witness = mkdtempSync(join(scratch, 'witness-'));
    expect((await verifyFile(full.file, witness)).witness?.state).toBe('first');
    const v = await verifyFile(tampered(early, () => undefined), witness);
    expect(codes(v)).toEqual(['rollback', 'truncated']);
    const evidence = JSON.parse(readFileSync(v.witness!.evidenceFiles[0], 'utf8'));
    expect(evidence).toMatchObject({ kind: 'rollback', origin: 'arbiter.ledger/acme' });
    expect(parseCheckpoint(evidence.trusted).size).toBe(32n);
    expect(parseCheckpoint(evidence.presented).size).toBe(20n);
    expect(readFileSync(join(witness, `${encodeURIComponent('arbiter.ledger/acme')}.checkpoint`), 'utf8')).toBe(evidence.trusted);
  });

  it('reports a validly signed checkpoint of another history at the witnessed size as a fork, keeping both notes', async () => {
    const witness = mkdtempSync(join(scratch, 'witness-'));
    await verifyFile(full.file, witness);
    const v = await verifyFile(tampered(fork.file, () => undefined), witness);
    expect(codes(v)).toEqual(['fork']);
    expect(v.report.checkpoint?.size).toBe(32);
    const evidence = JSON.parse(readFileSync(v.witness!.evidenceFiles[0], 'utf8'));
    expect(evidence.kind).toBe('fork');
    expect(parseCheckpoint(evidence.trusted).root).not.toEqual(parseCheckpoint(evidence.presented).root);
    expect(readdirSync(join(witness, 'evidence'))).toHaveLength(1);
  });

  it('reports a longer history that does not extend the witnessed one as a fork', async () => {
    const witness = mkdtempSync(join(scratch, 'witness-'));
    await verifyFile(shortFork.file, witness);
    const v = await verifyFile(tampered(full.file, () => undefined), witness);
    expect(codes(v)).toEqual(['fork']);
  });

  it('advances the witness over a checkpoint that extends the one it holds', async () => {
    const witness = mkdtempSync(join(scratch, 'witness-'));
    await verifyFile(early, witness);
    const v = await verifyFile(full.file, witness);
    expect(v.report.ok).toBe(true);
    expect(v.witness?.state).toBe('advanced');
  });
});

/**
 * The full ledger with `forge` appending to it, notarised again: a checkpoint covers the forged
 * entry, as if it had been written through the operator's own keys and notary.
 */
async function extendedBy(forge: (writer: ChainWriter, store: SqliteEventStore) => Promise<unknown>): Promise<LedgerUnderTest> {
  const ledger = new LedgerUnderTest('2026-04-05T00:00:00.000Z');
  extendedLedgers.push(ledger);
  copyFileSync(full.file, ledger.file);
  const writer = await ledger.open();
  await forge(writer, ledger.store);
  await ledger.notarise();
  await ledger.close();
  return ledger;
}

/** The verdicts on a ledger from its store, and from the `--all` bundle `arbiter audit export` writes of it. */
async function verifyStoreAndBundle(ledger: LedgerUnderTest): Promise<LedgerVerification[]> {
  const store = new SqliteEventStore(ledger.file);
  const out = join(ledger.dir, 'all.json');
  try {
    await exportBundle(store, { scope: { all: true }, out });
  } finally {
    await store.close();
  }
  return [await verifyFile(ledger.file), await verifyLedger(bundleSource(out), { trustRoot: root.did, workers: 0 })];
}

/** Each verdict fails exactly once, with `code`, at the given entry. */
function expectOnlyFailure(verdicts: LedgerVerification[], code: FailureCode, at: { chain: string; seq: number; leaf: number }, message?: RegExp): void {
  for (const v of verdicts) {
    expect(v.report.failures).toEqual([expect.objectContaining({ code, ...at, ...(message ? { message: expect.stringMatching(message) } : {}) })]);
  }
}

/** An entry appended after the head of `chain`, signed over bytes in which `raw` replaces the string `placeholder`. */
async function appendRawSigned(store: SqliteEventStore, chain: string, body: LedgerRecord['body'], placeholder: string, raw: string): Promise<void> {
  let head: LedgerRecord | undefined;
  for await (const event of store.readStream(chain)) head = JSON.parse(Buffer.from(event.data).toString('utf8')) as LedgerRecord;
  const entry = { v: 1 as const, ledger: 'acme', chain, seq: head!.seq + 1, prev: head!.hash, time: '2026-04-05T00:00:00.000Z', type: 'decision' as const, signer: reasoner.did, body };
  const input = Buffer.from(canonicalize(entry).replace(placeholder, raw));
  const sig = Buffer.from(await reasoner.sign(input)).toString('base64url');
  const text = canonicalize({ ...entry, hash: sha256Hex(input), sig }).replace(placeholder, raw);
  await store.append(chain, [{ id: randomUUID(), type: ledgerEventType('decision'), data: Buffer.from(text) }], BigInt(head!.seq));
}

const policyBody = (document: LedgerRecord['body'], digest = sha256Hex(canonicalBytes(document))) => ({ policyId: 'disputes', version: 2, digest, document });

describe('validly signed and notarised entries that break LEDGER-SPEC §1–§4 are detected, in the store and in a bundle, with the exact failure code', () => {
  const at32 = (chain: string, seq: number) => ({ chain, seq, leaf: 32 });

  it('reports a policy whose body.digest is not the SHA-256 of its document as a hash mismatch', async () => {
    const ledger = await extendedBy((writer) =>
      writer.append({ chain: 'policies', type: 'policy', signer: reasoner, eventId: randomUUID(), body: policyBody({ refundLimitCents: 50_000 }, sha256Hex(canonicalBytes({ refundLimitCents: 5_000 }))) }),
    );
    expectOnlyFailure(await verifyStoreAndBundle(ledger), 'hash-mismatch', at32('policies', 0), /body\.digest/);
  }, 30_000);

  it('reports a review that names its decision with another entry\'s hash as a broken link, and accepts the review beside it that names the right one', async () => {
    const named = JSON.parse(readRecord(full.file, 'decisions-cus_1', 3).toString('utf8')) as LedgerRecord;
    const next = JSON.parse(readRecord(full.file, 'decisions-cus_1', 4).toString('utf8')) as LedgerRecord;
    const review = (hash: string) => ({ decision: { chain: 'decisions-cus_1', seq: 3, hash }, reviewer: 'ops-anna', verdict: 'override', action: { type: 'refund', params: { refundCents: 700 } }, note: 'receipt checked' });
    const ledger = await extendedBy(async (writer) => {
      await writer.append({ chain: 'decisions-cus_1', type: 'review', signer: reasoner, eventId: randomUUID(), body: review(named.hash) });
      await writer.append({ chain: 'decisions-cus_1', type: 'review', signer: reasoner, eventId: randomUUID(), body: review(next.hash) });
    });
    expectOnlyFailure(await verifyStoreAndBundle(ledger), 'broken-link', { chain: 'decisions-cus_1', seq: 11, leaf: 33 }, new RegExp(`that entry's hash is ${named.hash}`));
  }, 30_000);

  it('reports a policy entry in a decisions chain as malformed: §3 keeps each type in its chains', async () => {
    const ledger = await extendedBy((writer) =>
      writer.append({ chain: 'decisions-cus_1', type: 'policy', signer: reasoner, eventId: randomUUID(), body: policyBody({ refundLimitCents: 50_000 }) }),
    );
    expectOnlyFailure(await verifyStoreAndBundle(ledger), 'malformed', at32('decisions-cus_1', 10), /type policy does not belong in chain decisions-cus_1/);
  }, 30_000);

  it('reports an approved decision without an action as malformed: action is null only while escalated', async () => {
    const ledger = await extendedBy((writer) =>
      writer.append({ chain: 'decisions-cus_2', type: 'decision', signer: reasoner, eventId: randomUUID(), body: { ...decisionBody('null-action', 0), action: null } }),
    );
    expectOnlyFailure(await verifyStoreAndBundle(ledger), 'malformed', at32('decisions-cus_2', 10), /body\.action is null but the outcome is approved/);
  }, 30_000);

  it('reports a decision holding the noncharacter U+FFFF, which no writer can sign, as malformed', async () => {
    const ledger = await extendedBy((_writer, store) => appendRawSigned(store, 'decisions-cus_0', { ...decisionBody('nonchar', 1), note: 'NONCHARACTER' }, 'NONCHARACTER', 'refund \uffff now'));
    expectOnlyFailure(await verifyStoreAndBundle(ledger), 'malformed', at32('decisions-cus_0', 10), /noncharacter U\+FFFF/);
  }, 30_000);

  it.each([
    ['a decisionId that is not a UUID', { ...decisionBody('not-a-uuid', 1), decisionId: 'dispute-7' }, /body\.decisionId is not a UUID/],
    ['no trigger at all', Object.fromEntries(Object.entries(decisionBody('no-trigger', 1)).filter(([name]) => name !== 'trigger')), /body\.trigger is missing/],
  ])('reports a decision with %s as malformed: §4 names what every verifier may rely on', async (_why, body, message) => {
    const ledger = await extendedBy((writer) => writer.append({ chain: 'decisions-cus_2', type: 'decision', signer: reasoner, eventId: randomUUID(), body }));
    expectOnlyFailure(await verifyStoreAndBundle(ledger), 'malformed', at32('decisions-cus_2', 10), message);
  }, 30_000);

  it('reports a decision dated 30 February, a time that names no instant, as malformed', async () => {
    const ledger = await extendedBy(async (_writer, store) => {
      const head = JSON.parse(readRecord(full.file, 'decisions-cus_2', 9).toString('utf8')) as LedgerRecord;
      const entry = { ...entryOf(head), seq: 10, prev: head.hash, time: '2026-02-30T10:00:00.000Z', body: decisionBody('february', 1) };
      const forged = await signEntry(entry, reasoner);
      await store.append('decisions-cus_2', [{ id: randomUUID(), type: ledgerEventType('decision'), data: Buffer.from(canonicalize(forged)) }], 9n);
    });
    expectOnlyFailure(await verifyStoreAndBundle(ledger), 'malformed', at32('decisions-cus_2', 10), /time "2026-02-30T10:00:00.000Z"/);
  }, 30_000);
});

function readRecord(file: string, stream: string, revision: number): Buffer {
  const db = new Database(file, { readonly: true });
  try {
    return rowAt(db, stream, revision).data;
  } finally {
    db.close();
  }
}

describe('tampering with a proof bundle is detected, with the exact failure code', () => {
  let bundles: string;
  let customer: string;

  beforeAll(async () => {
    bundles = join(scratch, 'bundles');
    mkdirSync(bundles, { recursive: true });
    const store = new SqliteEventStore(tampered(full.file, () => undefined));
    await exportBundle(store, { scope: { all: true }, out: join(bundles, 'all.json') });
    await exportBundle(store, { scope: { customer: 'cus_1' }, out: join(bundles, 'cus_1.json') });
    await store.close();
    customer = readFileSync(join(bundles, 'cus_1.json'), 'utf8');
  });

  const verifyBundle = async (text: string) => {
    const file = join(bundles, `${randomUUID()}.json`);
    writeFileSync(file, text);
    return verifyLedger(bundleSource(file), { trustRoot: root.did, workers: 0 });
  };

  it('accepts both bundles as exported: every chain, and one customer\'s with inclusion proofs', async () => {
    expect((await verifyBundle(readFileSync(join(bundles, 'all.json'), 'utf8'))).report).toMatchObject({ ok: true, entries: 32 });
    expect((await verifyBundle(customer)).report).toMatchObject({ ok: true, entries: 12, chains: 2 });
  });

  it('reports a flipped bit in an inclusion proof', async () => {
    const lines = customer.split('\n');
    const i = lines.findIndex((l) => l.includes('"chain":"decisions-cus_1"') && l.includes('"seq":3,'));
    const entry = JSON.parse(lines[i].replace(/,$/, ''));
    const hash = Buffer.from(entry.proof[1], 'base64');
    hash[0] ^= 0x10;
    lines[i] = lines[i].replace(entry.proof[1], hash.toString('base64'));
    const v = await verifyBundle(lines.join('\n'));
    expect(codes(v)).toEqual(['inclusion-proof']);
    expect(v.report.failures[0]).toMatchObject({ chain: 'decisions-cus_1', seq: 3 });
  });

  it('reports an entry whose proof was dropped from a partial bundle', async () => {
    const text = customer.replace(/(\{"leaf":\d+,"record":\{[^\n]*"chain":"decisions-cus_1"[^\n]*"seq":0,[^\n]*\}),"proof":\[[^\]]*\]\}/, '$1}');
    expect(text).not.toBe(customer);
    expect(codes(await verifyBundle(text))).toEqual(['inclusion-proof']);
  });

  it('reports a checkpoint whose root was altered as not validly signed, and its root as not the one the entries hash to', async () => {
    const bundle = JSON.parse(readFileSync(join(bundles, 'all.json'), 'utf8')) as { checkpoint: string };
    const lines = bundle.checkpoint.split('\n');
    lines[2] = Buffer.alloc(32, 7).toString('base64');
    bundle.checkpoint = lines.join('\n');
    expect(codes(await verifyBundle(JSON.stringify(bundle)))).toEqual(['checkpoint-signature', 'root-mismatch']);
  });

  it('reports a full bundle cut short as truncated', async () => {
    const lines = readFileSync(join(bundles, 'all.json'), 'utf8').split('\n');
    const cut = [...lines.slice(0, lines.length - 5), lines[lines.length - 5].replace(/,$/, ''), ']}', ''];
    expect(codes(await verifyBundle(cut.join('\n')))).toEqual(['truncated']);
  });

  it('advances the witness of a partial bundle only on a valid consistency proof, and calls an altered proof a fork', async () => {
    const earlyStore = new SqliteEventStore(tampered(early, () => undefined));
    await exportBundle(earlyStore, { scope: { customer: 'cus_1' }, out: join(bundles, 'cus_1-early.json') });
    await earlyStore.close();
    const fullStore = new SqliteEventStore(tampered(full.file, () => undefined));
    const tree = new MemoryMerkleTree();
    for await (const { data } of storeSource(fullStore).leaves()) tree.append(ledgerLeaf(data).leafHash);
    await fullStore.close();
    const proof = await consistencyProof(tree, 20n, 32n);
    const verifyWith = (dir: string, consistency?: Uint8Array[]) =>
      verifyLedger(bundleSource(join(bundles, 'cus_1.json')), { trustRoot: root.did, workers: 0, witness: new FileWitness(dir), consistency: consistency && { from: 20, to: 32, proof: consistency } });
    const witnessed = async () => {
      const dir = mkdtempSync(join(scratch, 'witness-'));
      await verifyLedger(bundleSource(join(bundles, 'cus_1-early.json')), { trustRoot: root.did, workers: 0, witness: new FileWitness(dir) });
      return dir;
    };

    const dir = await witnessed();
    expect((await verifyWith(dir)).witness).toMatchObject({ state: 'not-advanced' });
    const proven = await verifyWith(dir, proof);
    expect(proven.report.ok).toBe(true);
    expect(proven.witness).toMatchObject({ state: 'advanced', saved: true });

    const altered = proof.map((h, i) => (i === 0 ? Uint8Array.from(h, (b, k) => (k === 0 ? b ^ 1 : b)) : h));
    const forked = await verifyWith(await witnessed(), altered);
    expect(codes(forked)).toEqual(['fork']);
  });

  it('proves with a consistency proof that the early log is a prefix of the full one, and refuses every mutation of the proof', async () => {
    const dir = mkdtempSync(join(scratch, 'proofs-'));
    copyFileSync(full.file, join(dir, 'events.db'));
    const store = new SqliteEventStore(join(dir, 'events.db'));
    const readModels = await PgliteReadModelStore.open(join(dir, 'read-models'));
    await readModels.migrate(notaryMigrations);
    const bus = new SqliteBus(join(dir, 'bus.db'));
    const notary = new Notary({ store, readModels, bus, ledger: 'acme', signer: notaryKey, intervalMs: 30 });
    try {
      await notary.start();
      for (let i = 0; i < 500 && notary.size < 32; i++) await sleep(20);
      const proofs = new LedgerProofs(store, readModels);
      const earlyStore = new SqliteEventStore(tampered(early, () => undefined));
      const first = parseCheckpoint((await latestCheckpoint(earlyStore))!.checkpoint.note);
      await earlyStore.close();
      const second = parseCheckpoint((await latestCheckpoint(store))!.checkpoint.note);
      const proof = (await proofs.consistency(20, 32)).proof.map((h) => new Uint8Array(Buffer.from(h, 'base64')));
      expect(verifyConsistency(20n, 32n, proof, first.root, second.root)).toBe(true);
      for (let i = 0; i < proof.length; i++) {
        const mutated = proof.map((h, j) => (j === i ? Uint8Array.from(h, (b, k) => (k === 0 ? b ^ 1 : b)) : h));
        expect(verifyConsistency(20n, 32n, mutated, first.root, second.root)).toBe(false);
      }
      expect(verifyConsistency(20n, 32n, proof.slice(1), first.root, second.root)).toBe(false);
      expect(verifyConsistency(20n, 32n, [...proof, leafHash(new Uint8Array(32))], first.root, second.root)).toBe(false);
    } finally {
      await notary.stop();
      await bus.close();
      await readModels.close();
      await store.close();
    }
  });
});
