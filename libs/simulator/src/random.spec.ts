import { Random } from './random';

describe('the seeded random draws', () => {
  it('draws by running totals exactly as by weights: the same item for the same seed, every time', () => {
    const weights = Array.from({ length: 2_000 }, (_, i) => [1, 2, 6, 0, 3][(i * 7919) % 5]);
    const items = weights.map((w, i) => [i, w] as const);
    const cumulative: number[] = [];
    weights.forEach((w) => cumulative.push((cumulative.at(-1) ?? 0) + w));
    for (const seed of [1, 3, 21, 57932584]) {
      const byWeights = new Random(seed);
      const byTotals = new Random(seed);
      for (let draw = 0; draw < 5_000; draw++) expect(byTotals.weightedIndex(cumulative)).toBe(byWeights.weighted(items));
    }
  });

  it('never draws an item of weight zero, and takes the last item when the draw rounds up to the total', () => {
    const cumulative = [0, 0, 5, 5, 9];
    const random = new Random(7);
    for (let draw = 0; draw < 1_000; draw++) expect([2, 4]).toContain(random.weightedIndex(cumulative));
    const roundsUp = new Random(0);
    roundsUp.next = () => 1;
    expect(roundsUp.weightedIndex(cumulative)).toBe(4);
    const lowest = new Random(0);
    lowest.next = () => 0;
    expect(lowest.weightedIndex(cumulative)).toBe(2);
    expect(lowest.weighted([[0, 0], [1, 0], [2, 5], [3, 0], [4, 4]])).toBe(2);
  });
});
