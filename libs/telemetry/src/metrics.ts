type Labels = Record<string, string>;

const labelKey = (labels: Labels) =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k].replace(/["\\\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`)
    .join(',');

class Counter {
  private readonly values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string) {}
  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  render(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`, ...[...this.values].map(([k, v]) => `${this.name}${k ? `{${k}}` : ''} ${v}`)];
  }
}

const BUCKETS_MS = [0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

class Histogram {
  private readonly counts = new Map<string, { buckets: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string) {}
  observe(ms: number, labels: Labels = {}): void {
    const key = labelKey(labels);
    let h = this.counts.get(key);
    if (!h) this.counts.set(key, (h = { buckets: BUCKETS_MS.map(() => 0), sum: 0, count: 0 }));
    BUCKETS_MS.forEach((b, i) => {
      if (ms <= b) h!.buckets[i]++;
    });
    h.sum += ms;
    h.count++;
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [k, h] of this.counts) {
      const sep = k ? `${k},` : '';
      BUCKETS_MS.forEach((b, i) => lines.push(`${this.name}_bucket{${sep}le="${b}"} ${h.buckets[i]}`));
      lines.push(`${this.name}_bucket{${sep}le="+Inf"} ${h.count}`, `${this.name}_sum${k ? `{${k}}` : ''} ${h.sum}`, `${this.name}_count${k ? `{${k}}` : ''} ${h.count}`);
    }
    return lines;
  }
}

/** A small metrics registry rendering the Prometheus text format (no global state: one per host). */
export class Metrics {
  private readonly counters = new Map<string, Counter>();
  private readonly histograms = new Map<string, Histogram>();

  counter(name: string, help: string): Counter {
    let c = this.counters.get(name);
    if (!c) this.counters.set(name, (c = new Counter(name, help)));
    return c;
  }

  histogram(name: string, help: string): Histogram {
    let h = this.histograms.get(name);
    if (!h) this.histograms.set(name, (h = new Histogram(name, help)));
    return h;
  }

  render(): string {
    return [...[...this.counters.values()].flatMap((c) => c.render()), ...[...this.histograms.values()].flatMap((h) => h.render())].join('\n') + '\n';
  }
}

export type { Counter, Histogram };
