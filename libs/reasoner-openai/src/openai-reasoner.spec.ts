import type { ModelSettings } from '@arbiter/policy';
import { ReasonerFailure, ReasoningRequest, outputJsonSchema, renderPrompt } from '@arbiter/reasoning';
import { OpenAiReasoner } from './openai-reasoner';
import { FixtureExchange, FixtureMismatchError, FixtureServer, answer, completion, rateLimited, serverError } from './testing';

const SECRET = 'sk-test-never-recorded-0123456789';

const model = (overrides: Partial<ModelSettings> = {}): ModelSettings => ({
  name: 'gpt-4o-mini',
  timeoutMs: 2_000,
  maxRetries: 2,
  maxOutputTokens: 200,
  concurrency: 4,
  pricing: { inputMicrosPerMTok: 150_000, outputMicrosPerMTok: 600_000 },
  budget: { maxCostMicrosPerHour: 1_000_000 },
  ...overrides,
});

const allowed = { actions: [{ type: 'dispute.refund', params: { refundCents: { kind: 'integer' as const, min: 1, max: 4500, clamp: true } } }], unavailable: [] };
const template = { id: 'dispute-resolution', version: 1, system: 'You resolve disputes.', task: 'Resolve the dispute.' };

function request(settings: ModelSettings = model(), policyId = 'dispute-resolution'): ReasoningRequest {
  return { decisionPoint: 'dispute.resolution', policyId, model: settings, prompt: renderPrompt(template, { dispute: { amountCents: 4500 } }, allowed), outputSchema: outputJsonSchema(allowed) };
}

const exchange = (...responses: FixtureExchange['responses']): FixtureExchange[] => [{ match: { schema: 'dispute_resolution' }, responses }];

async function failureOf(promise: Promise<unknown>): Promise<ReasonerFailure> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(ReasonerFailure);
    return e as ReasonerFailure;
  }
  throw new Error('expected the reasoner to fail');
}

describe('the OpenAI-compatible reasoner, against recorded exchanges through the official SDK', () => {
  let server: FixtureServer;
  const start = async (exchanges: FixtureExchange[]) => {
    server = await FixtureServer.start(exchanges);
    return new OpenAiReasoner({ baseURL: server.baseURL, apiKey: SECRET, backoffBaseMs: 10 });
  };
  afterEach(async () => {
    await server.close();
  });

  it('turns a structured answer into a proposal and records the raw output, tokens, cost and prompt digest', async () => {
    const reasoner = await start(exchange(answer('dispute.refund', { refundCents: 4000 }, 8200, 'broken on arrival', { promptTokens: 1000, completionTokens: 50 })));
    const { proposal, record } = await reasoner.propose(request());
    expect(proposal).toEqual({ type: 'dispute.refund', params: { refundCents: 4000 }, confidenceBps: 8200, rationale: 'broken on arrival' });
    expect(record).toMatchObject({
      kind: 'openai',
      model: 'gpt-4o-mini',
      promptDigest: request().prompt.template.digest,
      output: JSON.stringify({ action: { type: 'dispute.refund', params: { refundCents: 4000 } }, confidenceBps: 8200, rationale: 'broken on arrival' }),
      finishReason: 'stop',
      usage: { promptTokens: 1000, completionTokens: 50 },
      costMicros: 150 + 30,
      attempts: 1,
    });
    server.verify({ allUsed: true });
  });

  it('sends the allowed actions as a strict JSON schema, with the key as a bearer token that is never recorded', async () => {
    const reasoner = await start(exchange(answer('dispute.refund', { refundCents: 1 })));
    const { record } = await reasoner.propose(request());
    const [sent] = server.requests;
    expect(sent.authorization).toBe(`Bearer ${SECRET}`);
    expect(sent.body.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'dispute_resolution', strict: true, schema: request().outputSchema } });
    expect(sent.body).toMatchObject({ model: 'gpt-4o-mini', max_tokens: 200 });
    expect(JSON.stringify(record)).not.toContain(SECRET);
  });

  it('backs off on a 429, honouring Retry-After, and succeeds on the next attempt', async () => {
    const reasoner = await start(exchange(rateLimited(150), answer('dispute.refund', { refundCents: 10 })));
    const started = Date.now();
    const { record } = await reasoner.propose(request());
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(record.attempts).toBe(2);
    server.verify({ allUsed: true });
  });

  it('gives up after the policy\'s retries when the server keeps failing', async () => {
    const reasoner = await start(exchange(serverError(500), serverError(502), serverError(503), answer('dispute.refund', { refundCents: 10 })));
    const failure = await failureOf(reasoner.propose(request(model({ maxRetries: 2 }))));
    expect(failure.code).toBe('unavailable');
    expect(failure.record).toMatchObject({ attempts: 3, lastStatus: 503 });
    expect(server.requests).toHaveLength(3);
  });

  it('stops waiting at the policy\'s deadline', async () => {
    const reasoner = await start(exchange(answer('dispute.refund', { refundCents: 10 }, 8000, 'late', { delayMs: 5_000 })));
    const started = Date.now();
    const failure = await failureOf(reasoner.propose(request(model({ timeoutMs: 400 }))));
    expect(failure.code).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('recognises an answer cut off at the token limit, and keeps what was said', async () => {
    const reasoner = await start(exchange(completion('{"action": {"type": "dispute.refund", "params": {"refundC', { finishReason: 'length' })));
    const failure = await failureOf(reasoner.propose(request()));
    expect(failure.code).toBe('truncated');
    expect(failure.record).toMatchObject({ output: '{"action": {"type": "dispute.refund", "params": {"refundC', finishReason: 'length', attempts: 1 });
  });

  it('recognises a refusal', async () => {
    const reasoner = await start(exchange(completion(null, { refusal: 'I cannot help with that.' })));
    const failure = await failureOf(reasoner.propose(request()));
    expect(failure.code).toBe('refused');
    expect(failure.record.refusal).toBe('I cannot help with that.');
  });

  it.each([
    ['text that is not JSON', 'Sure, refund them!'],
    ['JSON of another shape', '{"decision": "refund"}'],
    ['a fractional amount', '{"action": {"type": "dispute.refund", "params": {"refundCents": 10.5}}, "confidenceBps": 9000, "rationale": ""}'],
  ])('calls %s malformed, and records it', async (_why, content) => {
    const reasoner = await start(exchange(completion(content)));
    const failure = await failureOf(reasoner.propose(request()));
    expect(failure.code).toBe('malformed');
    expect(failure.record.output).toBe(content);
  });

  it('does not call the model once the policy\'s hourly budget is spent, and says so', async () => {
    // Each call costs 900 × 0.15 + 60 × 0.6 = 171 micros; the worst case reserved is about 200.
    const reasoner = await start([{ match: { schema: 'dispute_resolution' }, repeat: true, responses: [answer('dispute.refund', { refundCents: 10 })] }]);
    const tight = model({ budget: { maxCostMicrosPerHour: 500 } });
    await reasoner.propose(request(tight));
    await reasoner.propose(request(tight));
    const failure = await failureOf(reasoner.propose(request(tight)));
    expect(failure.code).toBe('over-budget');
    expect(server.requests).toHaveLength(2);
    await expect(reasoner.propose(request(tight, 'another-policy'))).resolves.toBeDefined();
  });

  it('keeps at most the policy\'s number of calls in flight to a model', async () => {
    const reasoner = await start([{ match: { schema: 'dispute_resolution' }, repeat: true, responses: [answer('dispute.refund', { refundCents: 10 }, 8000, 'x', { delayMs: 80 })] }]);
    await Promise.all(Array.from({ length: 6 }, () => reasoner.propose(request(model({ concurrency: 2 })))));
    expect(server.requests).toHaveLength(6);
    expect(server.maxInFlight).toBe(2);
  });

  it('fails a request that no recorded exchange matches, so a test cannot pass on an unplanned call', async () => {
    const reasoner = await start([{ match: { schema: 'payment_retry' }, responses: [answer('payment.retry', { delayHours: 2 })] }]);
    const failure = await failureOf(reasoner.propose(request()));
    expect(failure.code).toBe('request-refused');
    expect(() => server.verify()).toThrow(FixtureMismatchError);
  });
});
