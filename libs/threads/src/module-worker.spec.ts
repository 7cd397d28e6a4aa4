import { once } from 'node:events';
import { join } from 'node:path';
import { moduleWorker } from './module-worker';

describe('moduleWorker', () => {
  it('runs a TypeScript sibling module on a thread of its own, with the workspace paths resolved there', async () => {
    const worker = moduleWorker(join(__dirname, 'testing', 'host.ts'), 'echo-worker', { workerData: { n: 7 } });
    try {
      const [message] = await once(worker, 'message');
      expect(message).toEqual({ echo: { n: 7 }, imported: 'WalSync' });
    } finally {
      await worker.terminate();
    }
  });

  it('says so when a TypeScript module has no register above it to load it', () => {
    expect(() => moduleWorker('/nowhere/host.ts', 'echo-worker')).toThrow(/no bin\/register.js above it/);
  });
});
