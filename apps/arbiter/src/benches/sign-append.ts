import { benchSignAppend } from '@arbiter/runtime';
import type { Bench } from './bench';

export const signAppendBench: Bench = {
  name: 'sign-append',
  summary: 'sign and append decisions through the ChainWriter into the embedded store (synced commits, 16 chains at once); medians of 3 runs',
  run: ({ events = 20_000, progress }) => benchSignAppend({ entries: events, onProgress: progress }),
};
