interface Pending {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Appends that arrive while others are queued are committed together on the next turn of the
 * event loop: one transaction and one sync to disk for all of them, each in its own savepoint
 * so that a refused append does not undo the others. Each caller is answered only after the
 * commit, so an acknowledged append is on disk.
 */
export class GroupCommit {
  private pending: Pending[] = [];
  private scheduled: NodeJS.Immediate | null = null;

  /**
   * @param transaction runs the work in one write transaction and commits it
   * @param committed told after every commit that wrote something
   */
  constructor(
    private readonly transaction: (work: () => void) => void,
    private readonly committed: () => void,
  ) {}

  submit<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ run, resolve: resolve as (value: unknown) => void, reject });
      this.scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Commits what is queued now (also called on close, so nothing queued is dropped). */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    const batch = this.pending.splice(0);
    if (batch.length === 0) return;
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      this.transaction(() => {
        for (const item of batch) {
          try {
            outcomes.push({ ok: true, value: item.run() });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    if (outcomes.some((o) => o.ok)) this.committed();
    batch.forEach((item, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }
}
