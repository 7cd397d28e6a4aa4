import { join } from 'node:path';
import { testBrokers } from '@arbiter/bus-kafka/testing';
import { benchDecide } from '@arbiter/runtime';
import type { Bench } from './bench';

export const decideBench: Bench = {
  name: 'decide',
  summary: 'decisions end to end on a real Kafka broker with the offline reasoner: decisions/s from a burst, and p50/p99 latency from Kafka in to arbiter.decisions out at a steady 100 events/s',
  run: ({ events = 20_000, progress }) => benchDecide({ brokers: testBrokers(), policiesDir: join(process.cwd(), 'policies'), events, onProgress: progress }),
};
