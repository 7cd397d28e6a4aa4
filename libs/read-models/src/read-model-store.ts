/**
 * The read-model port: SQL in the PostgreSQL dialect, so one set of migrations and queries
 * runs on the embedded engine (PGlite) and on PostgreSQL. BIGINT values come back as JS
 * numbers (every amount and count here is below 2^53), JSON columns as parsed values.
 */

export type Row = Record<string, unknown>;

export interface SqlExecutor {
  query<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]>;
  /**
   * Appends rows to a table as fast as the engine takes them: no conflict handling, nothing
   * returned (a key violation fails the whole call). In a transaction's executor the rows are
   * part of the transaction; on the store itself each call commits on its own. `table` may name
   * its schema; each row lists its values in `columns` order: strings, finite numbers, booleans,
   * null, Dates, and objects or arrays for JSON columns. Resolves with the number of rows.
   */
  insertRows(table: string, columns: string[], rows: unknown[][]): Promise<number>;
}

export interface Migration {
  /** Applied in id order, once; ids never change once released. */
  id: string;
  sql: string;
}

/** Exclusive right to run something (the decision relay) among all processes sharing the store. */
export interface Lease {
  /** Resolves if the lease is lost (its connection dropped); the holder must stop. */
  readonly lost: Promise<void>;
  release(): Promise<void>;
}

export interface ReadModelStore extends SqlExecutor {
  /** Takes the named lease if no other holder has it; null when someone else does. */
  tryLease(name: string): Promise<Lease | null>;
  /** Runs `work` in one transaction: all of it commits, or none of it. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Applies the migrations not applied yet, each in its own transaction. */
  migrate(migrations: Migration[]): Promise<string[]>;
  close(): Promise<void>;
}

export const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  id         TEXT PRIMARY KEY,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)`;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** `insertRows`' names, checked: they are written into the statement, so only plain identifiers pass. */
export function checkedIdentifiers(table: string, columns: string[]): void {
  const parts = table.split('.');
  if (parts.length > 2 || !parts.every((p) => IDENTIFIER.test(p))) throw new Error(`not a table name: ${JSON.stringify(table)}`);
  if (columns.length === 0) throw new Error('no columns to insert');
  for (const c of columns) if (!IDENTIFIER.test(c)) throw new Error(`not a column name: ${JSON.stringify(c)}`);
}

/** The head of `insertRows`' COPY statement (`COPY table (columns) FROM source`), its names checked first. */
export function copyStatement(table: string, columns: string[], source: string): string {
  checkedIdentifiers(table, columns);
  return `COPY ${table} (${columns.join(', ')}) FROM ${source}`;
}

/** The migration runner both adapters share. */
export async function applyMigrations(store: ReadModelStore, migrations: Migration[]): Promise<string[]> {
  await store.query(MIGRATIONS_TABLE);
  const done = new Set((await store.query<{ id: string }>('SELECT id FROM schema_migrations')).map((r) => r.id));
  const applied: string[] = [];
  for (const m of [...migrations].sort((a, b) => a.id.localeCompare(b.id))) {
    if (done.has(m.id)) continue;
    await store.transaction(async (tx) => {
      for (const statement of splitStatements(m.sql)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (id) VALUES ($1)', [m.id]);
    });
    applied.push(m.id);
  }
  return applied;
}

/** Splits a migration on semicolons at line ends; migrations keep one statement per such run. */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
