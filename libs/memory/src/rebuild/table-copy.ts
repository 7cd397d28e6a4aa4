import type { SqlExecutor } from '@arbiter/read-models';

/**
 * An empty copy of a live table in another schema, with the same columns, defaults, constraints
 * and index names, so that once it is moved into `public` nothing tells it from the original
 * (later migrations may name those indexes).
 */
export async function createEmptyCopy(db: SqlExecutor, table: string, schema: string): Promise<void> {
  await createBareCopy(db, table, schema);
  await copyKeysAndIndexes(db, table, schema);
}

/** The columns, defaults and storage options (fillfactor) alone: the fastest table to bulk-load, with its keys and indexes added after. */
export async function createBareCopy(db: SqlExecutor, table: string, schema: string): Promise<void> {
  const [{ options }] = await db.query<{ options: string[] | null }>(`SELECT reloptions AS options FROM pg_class WHERE oid = $1::regclass`, [`public.${table}`]);
  const storage = options?.length ? ` WITH (${options.join(', ')})` : '';
  await db.query(`CREATE TABLE ${schema}.${table} (LIKE public.${table} INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING IDENTITY)${storage}`);
}

/** The live table's constraints (keys, checks) and indexes, on its copy; built from the rows already there. */
export async function copyKeysAndIndexes(db: SqlExecutor, table: string, schema: string): Promise<void> {
  for (const statement of await keyStatements(db, table, schema)) await db.query(statement);
}

/** The statements, in order, that give the copy of `table` in `schema` the live table's constraints and indexes. */
export async function keyStatements(db: SqlExecutor, table: string, schema: string): Promise<string[]> {
  const constraints = await db.query<{ name: string; definition: string }>(
    `SELECT conname AS name, pg_get_constraintdef(c.oid) AS definition FROM pg_constraint c
     JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE n.nspname = 'public' AND t.relname = $1 ORDER BY c.contype DESC, conname`,
    [table],
  );
  const indexes = await db.query<{ definition: string }>(
    `SELECT indexdef AS definition FROM pg_indexes i WHERE schemaname = 'public' AND tablename = $1
     AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
    [table],
  );
  return [
    ...constraints.map((c) => `ALTER TABLE ${schema}.${table} ADD CONSTRAINT ${c.name} ${c.definition}`),
    ...indexes.map((i) => i.definition.replace(` ON public.${table} `, ` ON ${schema}.${table} `)),
  ];
}
