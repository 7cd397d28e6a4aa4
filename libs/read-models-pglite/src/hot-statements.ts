/** Runs after this many times with the same text, a statement gets a plan of its own. */
const KEEP_AFTER = 3;
/** Plans kept at most: statements whose text varies must not pile up in the engine. */
const MAX_KEPT = 256;
const MAX_TRACKED = 10_000;
/** What PostgreSQL can PREPARE. */
const PREPARABLE = /^\s*(SELECT|WITH|INSERT|UPDATE|DELETE|VALUES)\b/i;

/**
 * Which statements deserve a kept (prepared) plan: those the engine runs again and again — the
 * customer-memory read, the facts of a decision — named once each. Planning a statement of
 * several subqueries costs more than running it; a kept plan is planned once.
 */
export class HotStatements {
  private readonly seen = new Map<string, number>();
  private readonly names = new Map<string, string>();

  constructor(private readonly prefix: string) {}

  /** The statement's plan name once it has run often enough, else null (run it unnamed). */
  nameFor(sql: string): string | null {
    const kept = this.names.get(sql);
    if (kept !== undefined) return kept;
    if (this.names.size >= MAX_KEPT || !PREPARABLE.test(sql)) return null;
    const times = (this.seen.get(sql) ?? 0) + 1;
    if (this.seen.size >= MAX_TRACKED) this.seen.clear();
    this.seen.set(sql, times);
    if (times < KEEP_AFTER) return null;
    const name = `${this.prefix}${this.names.size + 1}`;
    this.names.set(sql, name);
    return name;
  }
}
