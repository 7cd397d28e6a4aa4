const HOUR_MS = 3_600_000;

export interface Reservation {
  micros: number;
}

/**
 * What a policy may spend on its model per hour, over a sliding hour. A call reserves its worst
 * case before it is made (so concurrent calls cannot overshoot together) and settles at its
 * actual cost afterwards. Kept per process.
 */
export class HourlyBudget {
  private readonly spent: { at: number; micros: number }[] = [];
  private reserved = 0;

  constructor(
    readonly limitMicros: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Micros spent in the last hour plus those reserved by calls in flight. */
  committed(): number {
    const since = this.now() - HOUR_MS;
    while (this.spent.length && this.spent[0].at <= since) this.spent.shift();
    return this.spent.reduce((sum, s) => sum + s.micros, 0) + this.reserved;
  }

  /** Reserves the worst case of a call, or returns null when that would exceed the limit. */
  reserve(micros: number): Reservation | null {
    if (this.committed() + micros > this.limitMicros) return null;
    this.reserved += micros;
    return { micros };
  }

  settle(reservation: Reservation, actualMicros: number): void {
    this.reserved -= reservation.micros;
    if (actualMicros > 0) this.spent.push({ at: this.now(), micros: actualMicros });
  }
}

/** Cost in micro-units for a number of tokens at a price per million tokens, rounded up. */
export function costMicros(tokens: number, microsPerMTok: number): number {
  return Math.ceil((tokens * microsPerMTok) / 1_000_000);
}
