import type { Bench } from './bench';
import { ingestBench } from './ingest';

export type { Bench, BenchOptions } from './bench';

/** Every benchmark `arbiter bench` knows, by name. */
export const BENCHES: Bench[] = [ingestBench];
