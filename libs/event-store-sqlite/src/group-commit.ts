interface Pending {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Appends that arrive while others are queued are committed together on the next turn of the
 * event loop: one transaction and one sync to disk for all of them, each in its own savepoint
 * so that a refused append does not undo the others. Each caller is answered only after
 * `durable` has resolved for its commit, so an acknowledged append is on disk.
 */
export class GroupCommit {
  private pending: Pending[] = [];
  private scheduled: NodeJS.Immediate | null = null;
  private inFlight = new Set<Promise<void>>();

  /**
   * @param transaction runs the work in one write transaction and commits it
   * @param durable called right after a commit that wrote something; resolves once it is on disk
   */
  constructor(
    private readonly transaction: (work: () => void) => void,
    private readonly durable: () => Promise<void>,
  ) {}

  submit<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ run, resolve: resolve as (value: unknown) => void, reject });
      this.scheduled ??= setImmediate(() => void this.flush());
    });
  }

  /** Commits what is queued now; resolves when every commit so far is answered (also on close, so nothing queued is dropped). */
  async flush(): Promise<void> {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    const batch = this.pending.splice(0);
    if (batch.length > 0) {
      const answered = this.commit(batch);
      this.inFlight.add(answered);
      void answered.finally(() => this.inFlight.delete(answered));
    }
    await Promise.all(this.inFlight);
  }

  private async commit(batch: Pending[]): Promise<void> {
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
      if (outcomes.some((o) => o.ok)) await this.durable();
    } catch (error) {
      // Not known to be on disk: every caller hears so, and a retry with the same event ids is idempotent.
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }
}
