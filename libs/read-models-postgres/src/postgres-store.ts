import { once } from 'node:events';
import { Pool, PoolClient, types } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Lease, Migration, ReadModelStore, Row, SqlExecutor, applyMigrations, copyStatement, copyText } from '@arbiter/read-models';

/** COPY text is written this many rows at a time, so a large load is never one huge string. */
const COPY_CHUNK_ROWS = 5_000;

// Same value mapping as the embedded engine: BIGINT as number.
const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === types.builtins.INT8 ? (value: string) => Number(value) : types.getTypeParser(oid, format)) as typeof types.getTypeParser,
};

const SESSION_OPTIONS = '-c synchronous_commit=off';

/**
 * Server options for every session, added to any the connection string already carries (in a
 * URL they win over the client's own setting, so they are merged there rather than overridden).
 */
function withServerOptions(connectionString: string, options: string): { connectionString: string; options?: string } {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    return { connectionString, options };
  }
  const given = url.searchParams.get('options');
  url.searchParams.set('options', given ? `${given} ${options}` : options);
  return { connectionString: url.toString() };
}

/** Read models in PostgreSQL, through a connection pool. */
export class PostgresReadModelStore implements ReadModelStore {
  private constructor(private readonly pool: Pool) {}

  static async open(connectionString: string, options: { max?: number } = {}): Promise<PostgresReadModelStore> {
    // Every projection writes its checkpoint in the same transaction as its effects, so a commit
    // lost to a server crash is lost whole and redone from the checkpoint: no need to wait for
    // the WAL flush on each one. Set in the startup packet, so no connection ever runs without it.
    const pool = new Pool({ ...withServerOptions(connectionString, SESSION_OPTIONS), max: options.max ?? 8, types: typeParsers });
    // An idle connection the server closed (a restart, a failover) must not take the process
    // down: the pool drops it, and the next query opens a fresh one or fails with the reason.
    pool.on('error', () => undefined);
    const client = await pool.connect();
    client.release();
    return new PostgresReadModelStore(pool);
  }

  /**
   * A session-level advisory lock on a connection of its own: held while the connection
   * lives, released by PostgreSQL itself if the holder dies.
   */
  async tryLease(name: string): Promise<Lease | null> {
    const client = await this.pool.connect();
    let lose!: () => void;
    const lost = new Promise<void>((resolve) => (lose = resolve));
    try {
      const [row] = (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [name])).rows;
      if (!row.ok) {
        client.release();
        return null;
      }
    } catch (e) {
      client.release(e as Error);
      throw e;
    }
    const onError = () => lose();
    client.on('error', onError);
    return {
      lost,
      release: async () => {
        client.off('error', onError);
        try {
          await client.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
          client.release();
        } catch (e) {
          client.release(e as Error);
        }
      },
    };
  }

  async query<T extends Row = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query<T>(sql, params)).rows;
  }

  /** One COPY … FROM STDIN on a connection of its own: it commits (or fails) whole. */
  async insertRows(table: string, columns: string[], rows: unknown[][]): Promise<number> {
    const client = await this.pool.connect();
    try {
      return await copyRows(client, table, columns, rows);
    } finally {
      client.release();
    }
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client: PoolClient = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work({
        query: async <R extends Row>(sql: string, params: unknown[] = []) => (await client.query<R>(sql, params)).rows,
        insertRows: (table, columns, rows) => copyRows(client, table, columns, rows),
      });
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  migrate(migrations: Migration[]): Promise<string[]> {
    return applyMigrations(this, migrations);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Rows in COPY text format through `COPY … FROM STDIN`, written as the server takes them. */
async function copyRows(client: PoolClient, table: string, columns: string[], rows: unknown[][]): Promise<number> {
  const sql = copyStatement(table, columns, 'STDIN');
  if (rows.length === 0) return 0;
  const stream = client.query(copyFrom(sql));
  // Rejects with the server's error (a key violation, say) as soon as the stream fails.
  const finished = once(stream, 'finish');
  finished.catch(() => undefined);
  try {
    for (let i = 0; i < rows.length; i += COPY_CHUNK_ROWS) {
      if (!stream.write(copyText(rows.slice(i, i + COPY_CHUNK_ROWS)))) await Promise.race([once(stream, 'drain'), finished]);
    }
  } catch (e) {
    // A value that cannot be written (NaN, say): the server is told to abandon the COPY, and the connection is usable again.
    stream.destroy(e as Error);
    await finished.catch(() => undefined);
    throw e;
  }
  stream.end();
  await finished;
  return rows.length;
}
