import { CHECKPOINTS_TOPIC, leafHash, parseCheckpoint, verifyConsistency, verifyInclusion } from '@arbiter/ledger';
import { Simulator, publishDomainEvents } from '@arbiter/simulator';
import { API_KEY, Running, freshDataDir, startAllInOne } from './harness';

interface CheckpointView {
  origin: string;
  ledger: string;
  size: number;
  root: string;
  note: string;
}

const b64 = (h: string) => new Uint8Array(Buffer.from(h, 'base64'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the Merkle log over HTTP', () => {
  let running: Running;
  const get = (path: string, key: string | null = API_KEY) => fetch(`${running.url}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

  async function checkpointCovering(leaves: number): Promise<CheckpointView> {
    for (let i = 0; i < 200; i++) {
      const res = await get('/v1/ledger/checkpoint');
      if (res.status === 200) {
        const view = (await res.json()) as CheckpointView;
        if (view.size >= leaves) return view;
      }
      await sleep(50);
    }
    throw new Error(`no checkpoint covered ${leaves} leaves`);
  }

  async function ledgerRecords(): Promise<number> {
    let n = 0;
    for await (const _ of running.core.platform.store.readAll({ filter: { eventTypePrefixes: ['arbiter.ledger.v1.'] } })) n++;
    return n;
  }

  beforeAll(async () => {
    running = await startAllInOne(freshDataDir());
  });
  afterAll(() => running.close());

  it.each(['/v1/ledger/checkpoint', '/v1/ledger/proofs/inclusion?leaf=0&size=1', '/v1/ledger/proofs/consistency?from=1&to=1'])('refuses %s without the API key', async (path) => {
    expect((await get(path, null)).status).toBe(401);
  });

  it('serves a signed checkpoint, inclusion proofs of every leaf and a consistency proof between two checkpoints, all verifying', async () => {
    const simulator = new Simulator({ seed: 11 });
    await publishDomainEvents(running.core.platform.bus, [...simulator.take(60)]);
    await running.settle();
    const first = await checkpointCovering(await ledgerRecords());
    await publishDomainEvents(running.core.platform.bus, [...simulator.take(60)]);
    await running.settle();
    const second = await checkpointCovering(await ledgerRecords());
    expect(second.size).toBeGreaterThan(first.size);
    expect(parseCheckpoint(second.note)).toMatchObject({ origin: 'arbiter.ledger/arbiter', size: BigInt(second.size) });

    for (let leaf = 0; leaf < second.size; leaf += 7) {
      const res = await get(`/v1/ledger/proofs/inclusion?leaf=${leaf}&size=${second.size}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { entry: { hash: string }; proof: string[] };
      expect(verifyInclusion(BigInt(leaf), BigInt(second.size), leafHash(Buffer.from(body.entry.hash, 'hex')), body.proof.map(b64), b64(second.root))).toBe(true);
    }
    const res = await get(`/v1/ledger/proofs/consistency?from=${first.size}&to=${second.size}`);
    const { proof } = (await res.json()) as { proof: string[] };
    expect(verifyConsistency(BigInt(first.size), BigInt(second.size), proof.map(b64), b64(first.root), b64(second.root))).toBe(true);
  });

  it('finds the leaf of a decision by its chain and seq', async () => {
    const [{ ledger }] = ((await (await get('/v1/decisions?limit=1')).json()) as { decisions: { ledger: { chain: string; seq: number; hash: string } }[] }).decisions;
    const checkpoint = await checkpointCovering(await ledgerRecords());
    const res = await get(`/v1/ledger/proofs/inclusion?chain=${encodeURIComponent(ledger.chain)}&seq=${ledger.seq}&size=${checkpoint.size}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { entry: { hash: string } }).entry.hash).toBe(ledger.hash);
  });

  it.each([
    ['/v1/ledger/proofs/inclusion?leaf=-1&size=3', /leaf/],
    ['/v1/ledger/proofs/inclusion?leaf=5&size=5', /not in a tree of 5/],
    ['/v1/ledger/proofs/inclusion?leaf=0&size=100000000', /beyond the log/],
    ['/v1/ledger/proofs/inclusion?size=3', /either leaf, or chain and seq/],
    ['/v1/ledger/proofs/consistency?from=4&to=3', /must not exceed/],
    ['/v1/ledger/proofs/consistency?from=0&to=3', /from/],
    ['/v1/ledger/proofs/consistency?from=x&to=3', /from/],
  ])('answers %s with 400 and the reason', async (path, reason) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(reason);
  });

  it('publishes checkpoints on the bus topic arbiter.checkpoints', async () => {
    const received: string[] = [];
    const consumer = await running.core.platform.bus.consume({ group: 'e2e-auditor', topics: [CHECKPOINTS_TOPIC], eachBatch: async (b) => void received.push(...b.messages.map((m) => Buffer.from(m.value).toString('utf8'))) });
    try {
      for (let i = 0; i < 100 && received.length === 0; i++) await sleep(50);
      expect(parseCheckpoint(received[0]).origin).toBe('arbiter.ledger/arbiter');
    } finally {
      await consumer.stop();
    }
  });
});
