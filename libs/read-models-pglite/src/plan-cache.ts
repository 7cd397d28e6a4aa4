/**
 * Server-side plans for the statements the embedded engine runs again and again.
 *
 * PGlite parses and plans every `query` afresh (one unnamed statement each time); for the
 * customer-memory read, a single statement with seven subqueries, planning is most of the cost
 * (about 4.4 ms a call against 1.3 ms with a kept plan, measured on the decision path). Drivers
 * for PostgreSQL keep named statements for this; PGlite's API has none, so a statement seen
 * often enough outside a transaction is `PREPARE`d once and run as `EXECUTE name(literals…)`.
 *
 * Only values whose literal form is unambiguous go that way — strings without NUL (quotes
 * doubled, as `standard_conforming_strings` reads them), finite numbers, booleans, bigints; any
 * other value, or a statement PostgreSQL will not prepare, takes the ordinary path.
 */

/** Runs a statement on the engine, outside any transaction. */
export type RunSql = (sql: string, params?: unknown[]) => Promise<unknown[]>;

/** Runs after this many times with the same text, a statement gets a plan of its own. */
const PREPARE_AFTER = 3;
/** Plans kept at most: statements whose text varies must not pile up in the engine. */
const MAX_PLANS = 256;
const MAX_COUNTED = 10_000;
/** What PostgreSQL can PREPARE. */
const PREPARABLE = /^\s*(SELECT|WITH|INSERT|UPDATE|DELETE|VALUES)\b/i;

export class PlanCache {
  /** How often each statement not yet planned has run. */
  private readonly runs = new Map<string, number>();
  /** Each statement's PREPARE: its name once done, null if PostgreSQL refused it. */
  private readonly plans = new Map<string, Promise<string | null>>();
  private prepared = 0;

  constructor(private readonly run: RunSql) {}

  /** The statement's result, through its kept plan when it has one. */
  async query(sql: string, params: unknown[]): Promise<unknown[]> {
    const name = await this.planFor(sql, params);
    if (name !== null) {
      try {
        return await this.run(params.length ? `EXECUTE ${name}(${params.map(literal).join(', ')})` : `EXECUTE ${name}`);
      } catch (e) {
        // A table changed under a kept plan ("cached plan must not change result type"): plan it again.
        if ((e as { code?: string }).code !== '0A000') throw e;
        this.plans.delete(sql);
        await this.run(`DEALLOCATE ${name}`).catch(() => undefined);
      }
    }
    return this.run(sql, params);
  }

  private planFor(sql: string, params: unknown[]): Promise<string | null> | null {
    if (!params.every(hasLiteral)) return null;
    const kept = this.plans.get(sql);
    if (kept) return kept;
    if (this.plans.size >= MAX_PLANS || !PREPARABLE.test(sql)) return null;
    const times = (this.runs.get(sql) ?? 0) + 1;
    if (this.runs.size >= MAX_COUNTED) this.runs.clear();
    this.runs.set(sql, times);
    if (times < PREPARE_AFTER) return null;
    // Numbered, so that a plan dropped because its table changed is prepared again under a new name.
    const name = `arbiter_plan_${++this.prepared}`;
    // A statement PostgreSQL refuses to prepare (several statements, a utility) keeps a null plan: never tried again.
    const plan = this.run(`PREPARE ${name} AS ${sql}`).then(
      () => name,
      () => null,
    );
    this.plans.set(sql, plan);
    return plan;
  }
}

function hasLiteral(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
      return !value.includes('\u0000');
    case 'number':
      return Number.isFinite(value);
    case 'boolean':
    case 'bigint':
      return true;
    default:
      return value === null;
  }
}

/** The SQL literal of a value `hasLiteral` accepts; its type is the prepared parameter's. */
function literal(value: unknown): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? "'t'" : "'f'";
  return `'${String(value).replaceAll("'", "''")}'`;
}
