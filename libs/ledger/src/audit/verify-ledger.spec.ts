import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { ManualClock } from '@arbiter/clock';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import { ChainWriter } from '../chain-writer';
import { CHECKPOINTS_STREAM, CHECKPOINT_EVENT_TYPE, checkpointOrigin, signCheckpoint } from '../checkpoint/checkpoint';
import { didKeyFromPublicKey } from '../crypto/did-key';
import { generateSecretKey, nativeSigningKey, publicKeyOf, signNative } from '../crypto/ed25519';
import { exportBundle } from '../bundle/export-bundle';
import { ledgerEventType } from '../bodies';
import { MerkleFrontier } from '../merkle/frontier';
import type { Signer } from '../record';
import { exampleDecisionBody } from '../testing';
import { bundleSource } from './bundle-source';
import { ledgerLeaf } from './leaf-check';
import { storeSource } from './store-source';
import { verifyLedger } from './verify-ledger';

function newSigner(name: string): Signer {
  const secret = generateSecretKey();
  const key = nativeSigningKey(secret);
  return { name, did: didKeyFromPublicKey(publicKeyOf(secret)), sign: async (m) => signNative(key, m) };
}

describe('verifying on worker threads', () => {
  const root = newSigner('root');
  const reasoner = newSigner('reasoner');
  const notary = newSigner('notary');
  let dir: string;
  let store: SqliteEventStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'arbiter-verify-'));
    store = new SqliteEventStore(join(dir, 'events.db'));
    const writer = new ChainWriter(store, 'acme', new ManualClock('2026-04-01T00:00:00.000Z'));
    for (const [key, roles] of [[reasoner, ['decide', 'review']], [notary, ['checkpoint']]] as const) {
      await writer.append({ chain: 'keys', type: 'key', signer: root, eventId: randomUUID(), body: { action: 'register', key: key.did, name: key.name, roles: [...roles], notBefore: '2026-01-01T00:00:00.000Z', notAfter: null } });
    }
    for (let n = 0; n < 1500; n++) {
      const signer = n === 777 ? newSigner('intruder') : reasoner;
      await writer.append({ chain: `decisions-cus_${n % 40}`, type: 'decision', signer, eventId: randomUUID(), body: exampleDecisionBody(`e${n}`) });
    }
    // A review that names its decision with another hash: the ordered check sees it on either thread.
    const review = { decision: { chain: 'decisions-cus_3', seq: 0, hash: 'cd'.repeat(32) }, reviewer: 'ops-anna', verdict: 'approve', action: null, note: '' };
    await writer.append({ chain: 'decisions-cus_3', type: 'review', signer: reasoner, eventId: randomUUID(), body: review });
    const frontier = new MerkleFrontier();
    for await (const { data } of storeSource(store).leaves()) frontier.append(ledgerLeaf(data).leafHash);
    const note = await signCheckpoint({ origin: checkpointOrigin('acme'), size: BigInt(frontier.size), root: frontier.root() }, notary);
    await store.append(CHECKPOINTS_STREAM, [{ id: randomUUID(), type: CHECKPOINT_EVENT_TYPE, data: Buffer.from(note) }], 'no_stream');
  }, 60_000);

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reaches, on two workers, exactly the report it reaches in one thread', async () => {
    const inThread = await verifyLedger(storeSource(store), { trustRoot: root.did, workers: 0 });
    const pooled = await verifyLedger(storeSource(store), { trustRoot: root.did, workers: 2 });
    expect(pooled.report).toEqual(inThread.report);
    expect(pooled.report).toMatchObject({
      ok: false, entries: 1503, checkpoint: { size: 1503 },
      failures: [{ code: 'unknown-signer', leaf: 779 }, { code: 'broken-link', chain: 'decisions-cus_3', seq: 38, leaf: 1502 }],
    });
  });

  it('verifies a bundle whose entries are read on the workers, with the same report as in one thread', async () => {
    const file = join(dir, 'all.json');
    await exportBundle(store, { scope: { all: true }, out: file });
    const pooled = await verifyLedger(bundleSource(file), { trustRoot: root.did, workers: 2 });
    expect(pooled.report).toEqual((await verifyLedger(bundleSource(file), { trustRoot: root.did, workers: 0 })).report);
    expect(pooled.report.failures.map((f) => f.code)).toEqual(['unknown-signer', 'broken-link']);
  });

  it('hashes a stored record that is not UTF-8 by its exact bytes: malformed, and the root still matches', async () => {
    const odd = new SqliteEventStore(join(dir, 'odd.db'));
    try {
      const writer = new ChainWriter(odd, 'acme', new ManualClock('2026-04-01T00:00:00.000Z'));
      await writer.append({ chain: 'keys', type: 'key', signer: root, eventId: randomUUID(), body: { action: 'register', key: notary.did, name: notary.name, roles: ['checkpoint'], notBefore: '2026-01-01T00:00:00.000Z', notAfter: null } });
      // Bytes a lenient decoder would turn into U+FFFD, changing what the leaf hashes.
      const bytes = Buffer.concat([Buffer.from('{"chain":"decisions-cus_9","seq":0,"note":"'), Buffer.from([0xff, 0xc0, 0x80]), Buffer.from('"}')]);
      await odd.append('decisions-cus_9', [{ id: randomUUID(), type: ledgerEventType('decision'), data: bytes }], 'no_stream');
      const frontier = new MerkleFrontier();
      for await (const event of odd.readAll({ filter: { eventTypePrefixes: ['arbiter.ledger.'] } })) frontier.append(ledgerLeaf(event.data).leafHash);
      const note = await signCheckpoint({ origin: checkpointOrigin('acme'), size: BigInt(frontier.size), root: frontier.root() }, notary);
      await odd.append(CHECKPOINTS_STREAM, [{ id: randomUUID(), type: CHECKPOINT_EVENT_TYPE, data: Buffer.from(note) }], 'no_stream');
      for (const workers of [0, 2]) {
        const { report } = await verifyLedger(storeSource(odd), { trustRoot: root.did, workers });
        expect(report).toMatchObject({ entries: 2, checkpoint: { size: 2 } });
        expect(report.failures).toEqual([expect.objectContaining({ code: 'malformed', leaf: 1, message: expect.stringMatching(/not UTF-8/) })]);
      }
    } finally {
      await odd.close();
    }
  });
});
