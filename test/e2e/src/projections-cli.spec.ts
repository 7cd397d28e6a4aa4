import { join } from 'node:path';
import { REBUILDABLE_PROJECTIONS } from '@arbiter/memory';
import { PgliteReadModelStore } from '@arbiter/read-models-pglite';
import { arbiter, demoLedger } from './analysts-helpers';

/** Every row of every table a projection owns, sorted, read straight from the data directory's engine. */
async function readModelsOf(data: string): Promise<Record<string, string[]>> {
  const readModels = await PgliteReadModelStore.open(join(data, 'read-models'));
  try {
    const out: Record<string, string[]> = {};
    for (const table of REBUILDABLE_PROJECTIONS.flatMap((p) => p.tables)) out[table] = (await readModels.query(`SELECT * FROM ${table}`)).map((r) => JSON.stringify(r)).sort();
    out.checkpoints = (await readModels.query<{ projection: string; position: string }>('SELECT projection, position FROM projection_checkpoints ORDER BY projection')).map((r) => `${r.projection} ${r.position}`);
    return out;
  } finally {
    await readModels.close();
  }
}

describe('an operator rebuilding projections with the CLI', () => {
  let data: string;

  beforeAll(() => {
    data = demoLedger(400);
  }, 300_000);

  it('rebuilds every projection from position zero into the very views the live pipeline built, and says how it went', async () => {
    const before = await readModelsOf(data);
    const run = arbiter(['projections', 'rebuild', '--data', data, '--json']);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as { rebuilt: { projection: string; events: number; eventsPerSec: number; checkpoint: string }[] };
    expect(report.rebuilt.map((r) => r.projection)).toEqual(REBUILDABLE_PROJECTIONS.map((p) => p.name));
    expect(report.rebuilt.find((r) => r.projection === 'customer-memory')).toMatchObject({ events: 400, checkpoint: expect.stringMatching(/^\d+\/\d+$/) });
    expect(before.customers.length).toBeGreaterThan(0);
    expect(await readModelsOf(data)).toEqual(before);
  }, 120_000);

  it('refuses a projection it does not know, with the names it does, and exit status 2', () => {
    const run = arbiter(['projections', 'rebuild', '--data', data, '--projection', 'nope']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('there is no projection "nope"; choose one of customer-memory, ledger-audit');
  });
});
