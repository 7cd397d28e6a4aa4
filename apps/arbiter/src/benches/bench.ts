/** One benchmark of `arbiter bench <name>`: it runs, reports progress, and returns its JSON result. */
export interface Bench {
  name: string;
  /** One line for `--help`: what is measured and against which target. */
  summary: string;
  run(options: BenchOptions): Promise<object>;
}

export interface BenchOptions {
  /** `--events`, when given; each bench has its own default. */
  events?: number;
  /** Called with work done and work in all, for a progress bar on a terminal. */
  progress: (done: number, total: number) => void;
}
