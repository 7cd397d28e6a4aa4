import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DomainEvent, parseDomainEvent, topicOf } from '@arbiter/contracts';
import { readAllText } from '@arbiter/event-store';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import { archiveStream, archivedEventOf } from '@arbiter/memory';
import { TriggerArchive, parseArchivedEvent, triggerDigest, verifyTrigger } from './trigger-archive';

const dispute = (n: number): DomainEvent =>
  parseDomainEvent({
    specversion: '1.0', id: `evt-${n}`, source: '/spec', type: 'dispute.opened', subject: 'cus_1', time: '2026-06-01T12:00:00.000Z',
    data: { disputeId: `dsp-${n}`, orderId: `ord-${n}`, buyerId: 'cus_1', sellerId: 'sel-1', amountCents: 1000 + n, currency: 'EUR', reason: 'item_damaged', messages: [] },
  });

/** Disputes archived as the archiver would: partition 0, offsets 0..n-1. */
async function archiveOf(n: number): Promise<{ store: SqliteEventStore; events: DomainEvent[] }> {
  const store = new SqliteEventStore(join(mkdtempSync(join(tmpdir(), 'arbiter-archive-')), 'events.db'));
  const events = Array.from({ length: n }, (_, i) => dispute(i));
  const topic = topicOf('dispute.opened');
  await store.append(archiveStream(topic, 0), events.map((e, i) => archivedEventOf(e, { topic, partition: 0, offset: String(i), timestamp: '2026-06-01T12:00:00.000Z' })), 'no_stream');
  return { store, events };
}

const triggerOf = (e: DomainEvent, offset: string | null) => ({ eventId: e.id, type: e.type, source: e.source, digest: triggerDigest(e), topic: offset === null ? null : 'marketplace.disputes', partition: offset === null ? null : 0, offset });

describe('finding a recorded trigger in the domain archive', () => {
  it('accepts the archived event only when it hashes to the digest the decision recorded', () => {
    const event = dispute(1);
    const altered = { ...event, data: { ...(event.data as object), amountCents: 9 } } as DomainEvent;
    expect(verifyTrigger({ digest: triggerDigest(event) }, event, null)).toMatchObject({ status: 'verified', source: 'archive' });
    expect(verifyTrigger({ digest: triggerDigest(event) }, altered, null)).toMatchObject({ status: 'mismatch', archivedDigest: triggerDigest(altered) });
  });

  it('falls back to the copy in the record only when nothing was archived and the copy is the event the digest names', () => {
    const event = dispute(1);
    expect(verifyTrigger({ digest: triggerDigest(event) }, null, event)).toMatchObject({ status: 'verified', source: 'record' });
    expect(verifyTrigger({ digest: triggerDigest(event) }, null, dispute(2))).toEqual({ status: 'missing' });
  });

  it('finds triggers by topic, partition and offset in any order, and by event id when the decision came over HTTP', async () => {
    const { store, events } = await archiveOf(50);
    const archive = new TriggerArchive(store);
    for (const i of [3, 4, 40, 2, 41, 0]) expect(await archive.find(triggerOf(events[i], String(i)), null)).toEqual({ status: 'verified', event: events[i], source: 'archive' });
    expect(await archive.find(triggerOf(events[17], null), null)).toEqual({ status: 'verified', event: events[17], source: 'archive' });
    expect(await archive.find(triggerOf(dispute(99), '99'), null)).toEqual({ status: 'missing' });
    await archive.close();
    await store.close();
  });

  it('serves triggers met in the pass over the store without reading the archive again', async () => {
    const { store, events } = await archiveOf(5);
    const archive = new TriggerArchive(store);
    for await (const page of readAllText(store)) for (const event of page) archive.seen(event);
    await store.close();
    expect(parseArchivedEvent((await archive.findText(triggerOf(events[4], '4')))!)).toEqual(events[4]);
  });
});
