import type { FixtureResponse } from './fixture-server';

let counter = 0;

/** A `chat.completion` body as the OpenAI API returns it. */
export function completion(content: string | null, options: { finishReason?: string; refusal?: string; promptTokens?: number; completionTokens?: number; delayMs?: number } = {}): FixtureResponse {
  return {
    delayMs: options.delayMs,
    body: {
      id: `chatcmpl-fixture-${++counter}`,
      object: 'chat.completion',
      created: 1_780_000_000,
      model: 'gpt-4o-mini-2024-07-18',
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: options.refusal ?? null }, finish_reason: options.finishReason ?? 'stop', logprobs: null }],
      usage: { prompt_tokens: options.promptTokens ?? 900, completion_tokens: options.completionTokens ?? 60, total_tokens: (options.promptTokens ?? 900) + (options.completionTokens ?? 60) },
    },
  };
}

/** A model answer in the structured form the output schema asks for. */
export function answer(type: string, params: Record<string, unknown>, confidenceBps = 8000, rationale = 'fixture', options: Parameters<typeof completion>[1] = {}): FixtureResponse {
  return completion(JSON.stringify({ action: { type, params }, confidenceBps, rationale }), options);
}

export function rateLimited(retryAfterMs = 20): FixtureResponse {
  return { status: 429, headers: { 'retry-after-ms': String(retryAfterMs) }, body: { error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } } };
}

export function serverError(status = 500): FixtureResponse {
  return { status, body: { error: { message: 'The server had an error while processing your request.', type: 'server_error' } } };
}
