import { benchRebuild } from '@arbiter/runtime';
import type { Bench } from './bench';

export const rebuildBench: Bench = {
  name: 'rebuild',
  summary: 'customer memory rebuilt from position zero of the embedded store, into the embedded engine and into PostgreSQL; target ≥ 50,000 events/s into the embedded engine',
  run: ({ events = 200_000, progress }) => benchRebuild(events, progress),
};
