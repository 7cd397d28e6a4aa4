import type { Lease, Migration, ReadModelStore, Row, SqlExecutor } from '@arbiter/read-models';

/**
 * The read-model store seen through another schema first: every statement runs in a transaction
 * whose search_path starts with `schema`, so a projection's unqualified table names land in the
 * schema's tables where they exist there, and in the live ones otherwise.
 */
export function schemaScopedStore(store: ReadModelStore, schema: string): ReadModelStore {
  const scoped = async <T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> =>
    store.transaction(async (tx) => {
      await tx.query(`SET LOCAL search_path TO ${schema}, public`);
      return work(tx);
    });
  return {
    query: <T extends Row = Row>(sql: string, params?: unknown[]) => scoped((tx) => tx.query<T>(sql, params)),
    transaction: scoped,
    // A bulk load names its table's schema itself: unqualified, it is the scoped schema's table.
    insertRows: (table, columns, rows) => store.insertRows(table.includes('.') ? table : `${schema}.${table}`, columns, rows),
    tryLease: (name: string): Promise<Lease | null> => store.tryLease(`${schema}:${name}`),
    migrate: (_migrations: Migration[]) => Promise.reject(new Error('migrations run on the live schema only')),
    close: async () => undefined,
  };
}
