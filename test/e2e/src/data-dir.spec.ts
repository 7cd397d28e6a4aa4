import { freshDataDir, startAllInOne } from './harness';

describe('one process per data directory', () => {
  it('refuses a second all-in-one process on a data directory in use, and leaves the first running', async () => {
    const dataDir = freshDataDir();
    const first = await startAllInOne(dataDir);
    try {
      await expect(startAllInOne(dataDir)).rejects.toThrow(/is in use by process/);
      expect((await fetch(`${first.url}/health`)).status).toBe(200);
    } finally {
      await first.close();
    }
    const again = await startAllInOne(dataDir);
    await again.close();
  });
});
