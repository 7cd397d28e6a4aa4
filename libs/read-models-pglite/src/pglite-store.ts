import { mkdirSync } from 'node:fs';
import { Lease, Migration, ReadModelStore, Row, SqlExecutor, applyMigrations, copyStatement, copyText } from '@arbiter/read-models';
import { EngineThread } from './engine-thread';
import { PlanCache } from './plan-cache';

/**
 * The embedded read-model engine: PostgreSQL compiled to WebAssembly (PGlite), keeping its
 * data directory on disk, on a thread of its own. One connection; PGlite queues concurrent work
 * itself.
 */
export class PgliteReadModelStore implements ReadModelStore {
  private readonly leases = new Set<string>();

  private constructor(
    private readonly db: EngineThread,
    /** Kept plans for hot statements outside transactions; null where literals could be misread. */
    private readonly plans: PlanCache | null,
  ) {}

  /** One process owns a PGlite directory, so a lease only has to exclude holders in this process. */
  async tryLease(name: string): Promise<Lease | null> {
    if (this.leases.has(name)) return null;
    this.leases.add(name);
    return { lost: new Promise<void>(() => undefined), release: async () => void this.leases.delete(name) };
  }

  static async open(dataDir: string): Promise<PgliteReadModelStore> {
    mkdirSync(dataDir, { recursive: true });
    const db = await EngineThread.start(dataDir);
    // Every projection writes its checkpoint in the same transaction as its effects, so a crash
    // that loses the last commits loses them whole and the projection redoes them from its
    // checkpoint: read models need no fsync per commit (it cost more than the work itself).
    await db.query('SET synchronous_commit TO off');
    const [{ standard_conforming_strings: conforming }] = await db.query<{ standard_conforming_strings: string }>('SHOW standard_conforming_strings');
    return new PgliteReadModelStore(db, conforming === 'on' ? new PlanCache((sql, params) => db.query(sql, params)) : null);
  }

  async query<T extends Row = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    if (this.plans) return (await this.plans.query(sql, params)) as T[];
    return this.db.query<T>(sql, params);
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => work({ query: tx.query, insertRows: (table, columns, rows) => copyRows(table, columns, rows, tx.copy) }));
  }

  insertRows(table: string, columns: string[], rows: unknown[][]): Promise<number> {
    return copyRows(table, columns, rows, (sql, text) => this.db.copy(sql, text));
  }

  migrate(migrations: Migration[]): Promise<string[]> {
    return applyMigrations(this, migrations);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

/** One COPY per call: the rows travel to the engine's thread as COPY text. */
async function copyRows(table: string, columns: string[], rows: unknown[][], copy: (sql: string, text: string) => Promise<void>): Promise<number> {
  const sql = copyStatement(table, columns, `'/dev/blob'`);
  if (rows.length === 0) return 0;
  await copy(sql, copyText(rows));
  return rows.length;
}
