import { API_KEY, Running, freshDataDir, startAllInOne } from './harness';

describe('the HTTP API is authenticated by default', () => {
  let running: Running;
  beforeAll(async () => {
    running = await startAllInOne(freshDataDir());
  });
  afterAll(() => running.close());

  const call = (path: string, authorization?: string) => fetch(`${running.url}${path}`, { headers: authorization ? { authorization } : {} });

  it('answers /health without a key', async () => {
    const res = await call('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', ledger: 'arbiter' });
  });

  it.each(['/v1/decisions', '/v1/decisions/7b0e1c9e-8f4a-5b9e-9a57-0d6f1f6c1a10', '/v1/customers/cus_1/memory', '/metrics'])('refuses %s without a key, with a reason', async (path) => {
    const res = await call(path);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await res.json()) as { message: string }).message).toMatch(/missing API key/);
  });

  it.each([`Bearer ${API_KEY}x`, `Bearer ${API_KEY.slice(0, -1)}`, 'Bearer short', `Basic ${API_KEY}`, API_KEY])('refuses a wrong key (%s)', async (authorization) => {
    expect((await call('/v1/decisions', authorization)).status).toBe(401);
  });

  it('lists decisions with the right key', async () => {
    const res = await call('/v1/decisions?limit=5', `Bearer ${API_KEY}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ decisions: [] });
  });

  it('says what is wrong with a bad request, and 404s what does not exist', async () => {
    const auth = `Bearer ${API_KEY}`;
    const bad = await call('/v1/decisions?limit=100000', auth);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/limit/);
    expect((await call('/v1/decisions/not-a-uuid', auth)).status).toBe(400);
    expect((await call('/v1/decisions/7b0e1c9e-8f4a-5b9e-9a57-0d6f1f6c1a10', auth)).status).toBe(404);
    expect((await call('/v1/customers/nobody/memory', auth)).status).toBe(404);
  });

  it('exposes Prometheus metrics to a caller with the key', async () => {
    const res = await call('/metrics', `Bearer ${API_KEY}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  });
});

describe('the dashboard', () => {
  let running: Running;
  beforeAll(async () => {
    running = await startAllInOne(freshDataDir());
  });
  afterAll(() => running.close());

  it('serves its page without a key, holding no data and no key, and reads only this API', async () => {
    const res = await fetch(`${running.url}/dashboard`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/connect-src 'self'/);
    const page = await res.text();
    expect(page).not.toContain(API_KEY);
    expect(page).toContain("fetch(path, { headers: { authorization: 'Bearer ' + key } })");
    expect(page).not.toMatch(/https?:\/\//);
  });
});
