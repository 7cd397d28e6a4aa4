// A worker entry point for the specifications: TypeScript, importing through the workspace's paths.
import { parentPort, workerData } from 'node:worker_threads';
import { WalSync } from '@arbiter/sqlite-wal';

parentPort?.postMessage({ echo: workerData as unknown, imported: WalSync.name });
