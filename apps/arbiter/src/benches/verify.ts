import { benchVerify } from '@arbiter/runtime';
import type { Bench } from './bench';

export const verifyBench: Bench = {
  name: 'verify',
  summary:
    'audit verification of 1,000,000 signed entries (signatures, links, Merkle root against the checkpoint) from the embedded store, on every core, ' +
    'against the native Ed25519 verify rate per core measured in the same run; medians of 3 runs; target ratio ≥ 0.85 ' +
    '(the ledger is generated once and cached under the OS temp directory; ARBITER_BENCH_SOURCE=bundle verifies its --all bundle instead)',
  run: ({ events = 1_000_000, progress }) => benchVerify({ entries: events, source: process.env.ARBITER_BENCH_SOURCE === 'bundle' ? 'bundle' : 'store', onProgress: progress }),
};
