import type Database from 'better-sqlite3';

const TABLES = `
CREATE TABLE IF NOT EXISTS events (
  position     INTEGER PRIMARY KEY AUTOINCREMENT,
  stream       TEXT    NOT NULL,
  revision     INTEGER NOT NULL,
  event_id     TEXT    NOT NULL,
  type         TEXT    NOT NULL,
  data         BLOB    NOT NULL,
  metadata     BLOB,
  created      INTEGER NOT NULL,
  content_type TEXT,
  UNIQUE (stream, revision)
);
CREATE UNIQUE INDEX IF NOT EXISTS events_by_stream_id ON events (stream, event_id);
CREATE TABLE IF NOT EXISTS streams (
  stream          TEXT PRIMARY KEY,
  revision        INTEGER NOT NULL,
  truncate_before INTEGER NOT NULL DEFAULT 0,
  state           INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
`;

/** `streams.state`: a soft-deleted stream can be recreated by an append, a tombstoned one never. */
export const STREAM_STATE = { live: 0, softDeleted: 1, tombstoned: 2 } as const;

/** Columns added after the first release; files written before them gain them on open. */
const ADDED_COLUMNS: Array<{ table: string; column: string; definition: string }> = [
  { table: 'events', column: 'content_type', definition: 'TEXT' },
  { table: 'streams', column: 'truncate_before', definition: 'INTEGER NOT NULL DEFAULT 0' },
  { table: 'streams', column: 'state', definition: 'INTEGER NOT NULL DEFAULT 0' },
];

export function createSchema(db: Database.Database): void {
  db.exec(TABLES);
  for (const { table, column, definition } of ADDED_COLUMNS) {
    const columns = db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>;
    if (!columns.some((c) => c.name === column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
  }
}
