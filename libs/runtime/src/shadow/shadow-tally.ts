import type { ShadowComparison } from './shadow-comparison';

const RECENT = 50;

export interface PointAgreement {
  decisionPoint: string;
  compared: number;
  agreed: number;
  disagreed: number;
  /** Disagreements per compared decision, 0..1 (0 before anything is compared). */
  disagreementRate: number;
}

/** How often the shadow policies disagree with the live ones, per decision point, and the latest disagreements. */
export class ShadowTally {
  private readonly byPoint = new Map<string, { compared: number; agreed: number }>();
  private readonly recent: ShadowComparison[] = [];
  private readonly seen = new Set<string>();

  /** Counts a comparison once per decision, however often it is offered (a redelivered trigger). */
  add(comparison: ShadowComparison): boolean {
    if (this.seen.has(comparison.decisionId)) return false;
    this.seen.add(comparison.decisionId);
    const point = this.byPoint.get(comparison.decisionPoint) ?? { compared: 0, agreed: 0 };
    point.compared++;
    if (comparison.agree) point.agreed++;
    else {
      this.recent.unshift(comparison);
      if (this.recent.length > RECENT) this.recent.pop();
    }
    this.byPoint.set(comparison.decisionPoint, point);
    return true;
  }

  has(decisionId: string): boolean {
    return this.seen.has(decisionId);
  }

  points(): PointAgreement[] {
    return [...this.byPoint]
      .map(([decisionPoint, { compared, agreed }]) => ({ decisionPoint, compared, agreed, disagreed: compared - agreed, disagreementRate: compared ? Number(((compared - agreed) / compared).toFixed(4)) : 0 }))
      .sort((a, b) => a.decisionPoint.localeCompare(b.decisionPoint));
  }

  recentDisagreements(limit: number): ShadowComparison[] {
    return this.recent.slice(0, limit);
  }
}
