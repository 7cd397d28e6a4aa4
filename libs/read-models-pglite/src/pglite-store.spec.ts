import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeReadModelContract } from '@arbiter/read-models/testing';
import { PgliteReadModelStore } from './pglite-store';

describeReadModelContract(
  'embedded (PGlite)',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arbiter-pglite-'));
    const fixture = {
      store: await PgliteReadModelStore.open(dir),
      reopen: async () => {
        await fixture.store.close();
        fixture.store = await PgliteReadModelStore.open(dir);
        return fixture.store;
      },
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
    return fixture;
  },
  { durable: true },
);
