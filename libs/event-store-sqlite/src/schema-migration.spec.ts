import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collect, newEvent } from '@arbiter/event-store/testing';
import { SqliteEventStore } from './sqlite-event-store';

/** The schema of the first release, before content types and deletes. */
const FIRST_SCHEMA = `
CREATE TABLE events (
  position INTEGER PRIMARY KEY AUTOINCREMENT, stream TEXT NOT NULL, revision INTEGER NOT NULL, event_id TEXT NOT NULL,
  type TEXT NOT NULL, data BLOB NOT NULL, metadata BLOB, created INTEGER NOT NULL, UNIQUE (stream, revision)
);
CREATE UNIQUE INDEX events_by_stream_id ON events (stream, event_id);
CREATE TABLE streams (stream TEXT PRIMARY KEY, revision INTEGER NOT NULL) WITHOUT ROWID;
`;

describe('SqliteEventStore on a file from the first release', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'arbiter-store-migration-'));
    file = join(dir, 'events.db');
    const db = new Database(file);
    db.exec(FIRST_SCHEMA);
    db.prepare("INSERT INTO events (stream, revision, event_id, type, data, metadata, created) VALUES ('old', 0, 'e-0', 'kept', ?, NULL, 0)").run(Buffer.from('{"n":0}'));
    db.prepare("INSERT INTO streams (stream, revision) VALUES ('old', 0)").run();
    db.close();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the events written before, as binary', async () => {
    const store = new SqliteEventStore(file);
    const events = await collect(store.readStream('old'));
    await store.close();
    expect(events.map((e) => [e.revision, e.contentType, Buffer.from(e.data).toString()])).toEqual([[0n, 'application/octet-stream', '{"n":0}']]);
  });

  it('continues the old streams and can delete them', async () => {
    const store = new SqliteEventStore(file);
    const appended = await store.append('old', [newEvent()], 0n);
    await store.deleteStream('old', 1n);
    const recreated = await store.append('old', [newEvent()], 'no_stream');
    await store.close();
    expect([appended.nextExpectedRevision, recreated.nextExpectedRevision]).toEqual([1n, 2n]);
  });
});
