import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import { PgliteReadModelStore } from '@arbiter/read-models-pglite';
import { memoryMigrations } from './migrations';
import { StoreProjectionRunner } from './store-projection-runner';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a store projection', () => {
  let dir: string;
  let store: SqliteEventStore;
  let readModels: PgliteReadModelStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'arbiter-runner-'));
    store = new SqliteEventStore(join(dir, 'events.db'));
    readModels = await PgliteReadModelStore.open(join(dir, 'rm'));
    await readModels.migrate(memoryMigrations);
    await readModels.query('CREATE TABLE applied (n serial PRIMARY KEY, label text NOT NULL)');
  });
  afterAll(async () => {
    await readModels.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function given(count: number, prefix = 'e'): Promise<string[]> {
    const labels = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);
    for (const label of labels) await store.append(`s-${label}`, [{ id: randomUUID(), type: 'test.thing', data: Buffer.from(label) }], 'no_stream');
    return labels;
  }

  it('applies every event exactly once, in store order, when a batch fails while the next one is being read', async () => {
    const labels = await given(60);
    let calls = 0;
    const runner = new StoreProjectionRunner({
      store,
      readModels,
      projection: 'flaky',
      eventTypePrefixes: ['test.'],
      batchSize: 10,
      applyBatch: async (tx, events) => {
        calls++;
        for (const e of events) await tx.query('INSERT INTO applied (label) VALUES ($1)', [Buffer.from(e.data).toString('utf8')]);
        // The second batch fails after writing: its rows must roll back and no later batch may commit past it.
        if (calls === 2) throw new Error('the database went away');
      },
    });
    await runner.start();
    try {
      for (let i = 0; i < 100 && !(await runner.caughtUp()); i++) await sleep(100);
      expect(await runner.caughtUp()).toBe(true);
    } finally {
      await runner.stop();
    }
    const rows = await readModels.query<{ label: string }>('SELECT label FROM applied ORDER BY n');
    expect(rows.map((r) => r.label)).toEqual(labels);
    expect(calls).toBeGreaterThan(2);
  });

  it('commits larger batches while it is behind, up to five times its batch size, each event once and in order', async () => {
    // The first specification's 60 events are in the store too: this projection starts from zero.
    await readModels.query('TRUNCATE applied');
    const labels = [...Array.from({ length: 60 }, (_, i) => `e${String(i).padStart(3, '0')}`), ...(await given(300, 'f'))];
    const sizes: number[] = [];
    const runner = new StoreProjectionRunner({
      store,
      readModels,
      projection: 'slow',
      eventTypePrefixes: ['test.'],
      batchSize: 10,
      applyBatch: async (tx, events) => {
        sizes.push(events.length);
        for (const e of events) await tx.query('INSERT INTO applied (label) VALUES ($1)', [Buffer.from(e.data).toString('utf8')]);
        // A slow database: the runner reads on meanwhile.
        await sleep(30);
      },
    });
    await runner.start();
    try {
      for (let i = 0; i < 200 && !(await runner.caughtUp()); i++) await sleep(50);
    } finally {
      await runner.stop();
    }
    const rows = await readModels.query<{ label: string }>('SELECT label FROM applied ORDER BY n');
    expect(rows.map((r) => r.label)).toEqual(labels);
    expect(Math.max(...sizes)).toBeGreaterThan(10);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(50);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(360);
  });

  it('commits a lone event as soon as it is idle when told not to wait, and batches what arrives during a commit', async () => {
    const batches: Record<string, string[][]> = { eager: [], patient: [] };
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const runner = (projection: 'eager' | 'patient', flushAfterMs: number) =>
      new StoreProjectionRunner({
        store,
        readModels,
        projection,
        eventTypePrefixes: ['lone.'],
        batchSize: 100,
        flushAfterMs,
        applyBatch: async (_tx, events) => {
          batches[projection].push(events.map((e) => Buffer.from(e.data).toString('utf8')));
          if (projection === 'eager' && batches.eager.length === 1) await gate;
        },
      });
    const eager = runner('eager', 0);
    const patient = runner('patient', 600_000);
    await eager.start();
    await patient.start();
    const append = (label: string) => store.append(`lone-${label}`, [{ id: randomUUID(), type: 'lone.thing', data: Buffer.from(label) }], 'no_stream');
    const until = async (done: () => boolean) => {
      for (let i = 0; i < 200 && !done(); i++) await sleep(10);
      expect(done()).toBe(true);
    };
    try {
      await append('a');
      await until(() => batches.eager.length === 1);
      // Still committing the first: these two wait, together, for it.
      await append('b');
      await append('c');
      // The store wakes its subscriptions on the append; this leaves them ample time to hand both over.
      await sleep(250);
      release();
      await until(() => batches.eager.length === 2);
      expect(batches.eager).toEqual([['a'], ['b', 'c']]);
      // The default waits for more (here for ten minutes), up to a full batch or the stop.
      expect(batches.patient).toEqual([]);
    } finally {
      await eager.stop();
      await patient.stop();
    }
    expect(batches.patient).toEqual([['a', 'b', 'c']]);
  });

  it('runs beforeBatch before each batch opens its transaction; a failure there fails the batch, which is applied again', async () => {
    const labels = Array.from({ length: 30 }, (_, i) => `b${String(i).padStart(3, '0')}`);
    for (const label of labels) await store.append(`before-${label}`, [{ id: randomUUID(), type: 'before.thing', data: Buffer.from(label) }], 'no_stream');
    const published: string[] = [];
    const applied: string[] = [];
    let calls = 0;
    const runner = new StoreProjectionRunner({
      store,
      readModels,
      projection: 'before',
      eventTypePrefixes: ['before.'],
      batchSize: 10,
      beforeBatch: async (events) => {
        // The engine takes a statement outside any transaction: the batch's has not opened yet
        // (an open one would hold this statement until it ended, and it would never end).
        await readModels.query('SELECT 1');
        if (++calls === 2) throw new Error('the bus went away');
        published.push(...events.map((e) => Buffer.from(e.data).toString('utf8')));
      },
      applyBatch: async (_tx, events) => void applied.push(...events.map((e) => Buffer.from(e.data).toString('utf8'))),
    });
    await runner.start();
    try {
      for (let i = 0; i < 100 && !(await runner.caughtUp()); i++) await sleep(100);
      expect(await runner.caughtUp()).toBe(true);
    } finally {
      await runner.stop();
    }
    expect(applied).toEqual(labels);
    // Everything went out before it was applied; the failed batch went out on its second try.
    expect([...new Set(published)].sort()).toEqual(labels);
    expect(calls).toBeGreaterThan(2);
  });
});
