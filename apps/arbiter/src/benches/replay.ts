import { benchReplay } from '@arbiter/runtime';
import type { Bench } from './bench';

export const replayBench: Bench = {
  name: 'replay',
  summary:
    'recorded-mode replay of a demo ledger under the policies it was made under (--events simulated events; the ledger is made by the demo pipeline once and cached under the OS temp directory); ' +
    'medians of 3 runs with a worker thread per core and of 3 on one thread, alternated; decisionsPerSec is the better median; target ≥ 20,000 decisions/s',
  run: ({ events = 100_000, progress }) => benchReplay(events, progress),
};
