import { testBrokers } from '@arbiter/bus-kafka/testing';
import { benchIngest } from '@arbiter/runtime';
import type { Bench } from './bench';

export const ingestBench: Bench = {
  name: 'ingest',
  summary: 'domain events from a real Kafka broker (KAFKA_BROKERS, or the local one it starts) archived in the embedded store and folded into customer memory (on PostgreSQL when DATABASE_URL is set); target ≥ 20,000 events/s',
  run: ({ events = 50_000, progress }) => benchIngest(testBrokers(), events, (done) => progress(done, events), process.env.DATABASE_URL),
};
