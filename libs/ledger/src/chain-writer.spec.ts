import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@arbiter/clock';
import { EventStore, StoreUnavailableError } from '@arbiter/event-store';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import { ChainWriter } from './chain-writer';
import { didKeyFromPublicKey } from './crypto/did-key';
import { generateSecretKey, nativeSigningKey, publicKeyOf, signNative } from './crypto/ed25519';
import { collectLedgerLeaves } from './read-ledger';
import { Signer } from './record';
import { exampleDecisionBody } from './testing';
import { verifyRecords } from './verify';
import { MalformedError } from './errors';

function newSigner(name: string): Signer {
  const secret = generateSecretKey();
  const key = nativeSigningKey(secret);
  return { name, did: didKeyFromPublicKey(publicKeyOf(secret)), sign: async (m) => signNative(key, m) };
}

describe('writing chains to the event store', () => {
  let dir: string;
  let store: SqliteEventStore;
  const root = newSigner('root');
  const reasoner = newSigner('reasoner');
  const clock = new ManualClock('2026-04-01T00:00:00.000Z');

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'arbiter-writer-'));
    store = new SqliteEventStore(join(dir, 'events.db'));
    await new ChainWriter(store, 'acme', clock).append({
      chain: 'keys', type: 'key', eventId: '00000000-0000-5000-8000-000000000001', signer: root,
      body: { action: 'register', key: reasoner.did, name: 'reasoner', roles: ['decide'], notBefore: '2026-01-01T00:00:00.000Z', notAfter: null },
    });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const decision = (n: number) => ({
    chain: 'decisions-cus_1', type: 'decision' as const, signer: reasoner,
    eventId: `00000000-0000-5000-8000-${String(n).padStart(12, '0')}`,
    body: exampleDecisionBody(`e${n}`),
  });

  it('two writers racing on one chain never fork it: the loser reads the head back and appends after', async () => {
    const a = new ChainWriter(store, 'acme', clock);
    const b = new ChainWriter(store, 'acme', clock);
    await a.append(decision(1));
    await b.append(decision(2));
    await Promise.all([a.append(decision(3)), b.append(decision(4)), a.append(decision(5)), b.append(decision(6))]);
    const report = verifyRecords(await collectLedgerLeaves(store), { trustRoot: root.did });
    expect(report).toMatchObject({ ok: true, entries: 7, chains: 2 });
  });

  it('a writer with a stale head that decides what another writer already wrote gets the stored entry back, and the chain stays linked', async () => {
    const a = new ChainWriter(store, 'acme', clock);
    const stale = new ChainWriter(store, 'acme', clock);
    await stale.append(decision(1));
    const written = await a.append(decision(2));
    clock.advance(1_000);
    // Same identity, other bytes (a later time): the store must not acknowledge it as the entry already there.
    const again = await stale.append(decision(2));
    expect(again).toMatchObject({ duplicate: true, record: { hash: written.record.hash } });
    await stale.append(decision(3));
    expect(verifyRecords(await collectLedgerLeaves(store), { trustRoot: root.did }).failures).toEqual([]);
  });

  it('an append whose outcome was lost (the store failed after writing) is retried without a second entry or a broken link', async () => {
    let failNext = false;
    const flaky: EventStore = Object.assign(Object.create(store) as EventStore, {
      append: async (...args: Parameters<EventStore['append']>) => {
        const result = await store.append(...args);
        if (!failNext) return result;
        failNext = false;
        throw new StoreUnavailableError('connection lost after the write');
      },
    });
    const writer = new ChainWriter(flaky, 'acme', clock);
    await writer.append(decision(1));
    clock.advance(1_000);
    failNext = true;
    await expect(writer.append(decision(2))).rejects.toBeInstanceOf(StoreUnavailableError);
    clock.advance(1_000);
    expect(await writer.append(decision(2))).toMatchObject({ duplicate: true });
    await writer.append(decision(3));
    const report = verifyRecords(await collectLedgerLeaves(store), { trustRoot: root.did });
    expect(report).toMatchObject({ ok: true, entries: 4 });
  });

  it.each([
    ['a fraction', { refundCents: 12.5 }],
    ['an integer beyond 2^53 − 1', { refundCents: 2 ** 53 }],
    ['a lone surrogate', { note: 'pay \ud800 now' }],
    ['a value that is not JSON data (a Map, which could hold a name twice over)', { params: new Map([['a', 1]]) }],
  ])('refuses to write a body with %s, and appends nothing', async (_why, body) => {
    const writer = new ChainWriter(store, 'acme', clock);
    await expect(writer.append({ ...decision(1), body: { decisionId: 'd1', ...(body as object) } as never })).rejects.toThrow(MalformedError);
    expect((await collectLedgerLeaves(store)).length).toBe(1);
  });

  it('recognises a retried entry by its event id and writes nothing', async () => {
    const writer = new ChainWriter(store, 'acme', clock);
    const first = await writer.append(decision(1));
    const again = await new ChainWriter(store, 'acme', clock).append(decision(1));
    expect(again.duplicate).toBe(true);
    expect(again.record.hash).toBe(first.record.hash);
    expect((await collectLedgerLeaves(store)).length).toBe(2);
  });
});
