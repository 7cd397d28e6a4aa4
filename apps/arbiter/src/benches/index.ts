import { appendBench } from './append';
import type { Bench } from './bench';
import { decideBench } from './decide';
import { ingestBench } from './ingest';
import { signAppendBench } from './sign-append';
import { verifyBench } from './verify';
import { overheadBench } from './overhead';

export type { Bench, BenchOptions } from './bench';

/** Every benchmark `arbiter bench` knows, by name. */
export const BENCHES: Bench[] = [ingestBench, decideBench, appendBench, overheadBench, verifyBench, signAppendBench];
