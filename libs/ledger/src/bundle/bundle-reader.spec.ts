import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundlePart, parseBundleEntry, readBundleParts } from './bundle-reader';
import { writeBundle } from './bundle-writer';

const record = (n: number) => Buffer.from(JSON.stringify({ chain: `decisions-cus_${n % 7}`, seq: n, note: `entry ${n} with "quotes", \\ and ]} inside` }));

async function parts(file: string, chunkBytes?: number): Promise<BundlePart[]> {
  const out: BundlePart[] = [];
  for await (const part of readBundleParts(file, undefined, chunkBytes)) out.push(part);
  return out;
}

const entriesOf = (ps: BundlePart[]) => ps.flatMap((p) => (p.kind === 'entries' ? p.items.map((b) => parseBundleEntry(b)) : []));
const problemsOf = (ps: BundlePart[]) => ps.flatMap((p) => (p.kind === 'problem' ? [p.message] : []));

describe('reading a bundle as a stream', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'arbiter-bundle-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back every entry the writer wrote, whatever the size of the chunks it reads', async () => {
    const file = join(dir, 'written.json');
    async function* entries() {
      for (let n = 0; n < 600; n++) yield { leaf: n, record: record(n), ...(n % 3 ? { proof: [new Uint8Array(32).fill(n % 256)] } : {}) };
    }
    await writeBundle(file, { ledger: 'acme', checkpoint: 'arbiter.ledger/acme\n600\nroot\n\n— notary sig\n' }, entries());
    const whole = await parts(file);
    const small = await parts(file, 37);
    expect(problemsOf(small)).toEqual([]);
    expect(entriesOf(small)).toEqual(entriesOf(whole));
    expect(entriesOf(small)).toHaveLength(600);
    expect(entriesOf(small)[597]).toMatchObject({ leaf: 597, proof: null });
    expect(entriesOf(small)[599].proof).toHaveLength(1);
    expect(whole.filter((p) => p.kind === 'member').map((p) => (p as { name: string }).name)).toEqual(['format', 'ledger', 'checkpoint']);
  });

  it('reads a bundle laid out by another writer: members in another order, whitespace anywhere', async () => {
    const file = join(dir, 'pretty.json');
    const doc = { entries: [0, 1, 2].map((n) => ({ record: JSON.parse(record(n).toString()), leaf: n })), checkpoint: 'x', ledger: 'acme', format: 'arbiter.bundle/1' };
    writeFileSync(file, JSON.stringify(doc, null, 2));
    const read = await parts(file, 16);
    expect(problemsOf(read)).toEqual([]);
    expect(entriesOf(read).map((e) => e.leaf)).toEqual([0, 1, 2]);
  });

  it.each([
    ['a duplicate member', '{"ledger":"a","ledger":"b","entries":[]}', /duplicate member "ledger"/],
    ['an entry cut short', '{"ledger":"a","entries":[{"leaf":0,"record":{"a":1}},{"leaf":1,"rec', /entry 1 is cut short/],
    ['trailing data', '{"ledger":"a","entries":[]} {}', /unexpected data/],
    ['entries that are not an array', '{"entries":{}}', /entries must be an array/],
  ])('reports %s as a problem of the bundle', async (_why, text, message) => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, text);
    expect(problemsOf(await parts(file, 8))).toEqual([expect.stringMatching(message)]);
  });
});
