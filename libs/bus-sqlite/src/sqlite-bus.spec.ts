import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeBusContract } from '@arbiter/bus/testing';
import { SqliteBus } from './sqlite-bus';

describeBusContract(
  'in-process (SQLite log)',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arbiter-bus-'));
    const file = join(dir, 'bus.db');
    const fixture = {
      bus: new SqliteBus(file),
      reopen: async () => {
        await fixture.bus.close();
        fixture.bus = new SqliteBus(file);
        return fixture.bus;
      },
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
    return fixture;
  },
  { durable: true },
);
