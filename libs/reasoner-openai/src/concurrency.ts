/** Raised when no slot frees up before the caller's deadline. */
export class SlotTimeoutError extends Error {
  readonly code = 'slot-timeout';
}

/**
 * At most `limit` calls in flight to one model; the rest wait in order until a slot frees or
 * their deadline passes.
 */
export class Gate {
  private inFlight = 0;
  private readonly waiting: { grant: () => void }[] = [];

  constructor(readonly limit: number) {}

  async acquire(deadline: number): Promise<() => void> {
    if (this.inFlight < this.limit) {
      this.inFlight++;
      return this.releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(new SlotTimeoutError(`no free slot among ${this.limit} before the deadline`));
      }, Math.max(0, deadline - Date.now()));
      this.waiting.push(waiter);
    });
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter; only when nobody waits does it free up.
      if (next) next.grant();
      else this.inFlight--;
    };
  }
}
