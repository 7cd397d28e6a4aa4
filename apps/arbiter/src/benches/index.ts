import { appendBench } from './append';
import type { Bench } from './bench';
import { decideBench } from './decide';
import { ingestBench } from './ingest';
import { rebuildBench } from './rebuild';
import { replayBench } from './replay';
import { signAppendBench } from './sign-append';
import { verifyBench } from './verify';
import { overheadBench } from './overhead';

export type { Bench, BenchOptions } from './bench';

/** Every benchmark `arbiter bench` knows, by name. */
export const BENCHES: Bench[] = [ingestBench, decideBench, rebuildBench, appendBench, overheadBench, verifyBench, signAppendBench, replayBench];
