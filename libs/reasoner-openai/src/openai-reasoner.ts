import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { Json, canonicalize, sha256Hex } from '@arbiter/ledger';
import type { ModelSettings } from '@arbiter/policy';
import { MalformedOutputError, Reasoner, ReasonerAnswer, ReasonerFailure, ReasonerFailureCode, ReasoningRequest, proposalFromModelOutput } from '@arbiter/reasoning';
import { Logger, Metrics, silentLogger } from '@arbiter/telemetry';
import { backoffMs, retryAfterMs } from './backoff';
import { HourlyBudget, Reservation, costMicros } from './budget';
import { Gate, SlotTimeoutError } from './concurrency';

export interface OpenAiReasonerOptions {
  /** OPENAI_BASE_URL: any OpenAI-compatible endpoint. */
  baseURL: string;
  /** OPENAI_API_KEY: sent as a bearer token, never logged or recorded. */
  apiKey?: string;
  logger?: Logger;
  metrics?: Metrics;
  /** First backoff after a 429 or 5xx; doubles per attempt, with jitter, up to `maxBackoffMs`. */
  backoffBaseMs?: number;
  maxBackoffMs?: number;
  /** Where budgets read the time (tests move it). */
  now?: () => number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A request the transport may retry (rate limited, server error, connection trouble) and what to call it if it never succeeds. */
interface Attempted {
  code: ReasonerFailureCode;
  message: string;
  retryable: boolean;
  retryAfterMs: number | null;
  status: number | null;
}

function classify(e: unknown): Attempted {
  if (e instanceof APIConnectionTimeoutError || e instanceof APIUserAbortError) return { code: 'timeout', message: 'the model did not answer in time', retryable: true, retryAfterMs: null, status: null };
  if (e instanceof APIConnectionError) return { code: 'unavailable', message: `cannot reach the model: ${e.message}`, retryable: true, retryAfterMs: null, status: null };
  if (e instanceof APIError) {
    const status = e.status ?? null;
    if (status === 429) return { code: 'rate-limited', message: 'rate limited (429)', retryable: true, retryAfterMs: retryAfterMs(e.headers), status };
    if (status !== null && status >= 500) return { code: 'unavailable', message: `server error (${status})`, retryable: true, retryAfterMs: retryAfterMs(e.headers), status };
    return { code: 'request-refused', message: `the endpoint refused the request (${status ?? 'no status'}): ${e.message}`, retryable: false, retryAfterMs: null, status };
  }
  return { code: 'unavailable', message: (e as Error)?.message ?? String(e), retryable: false, retryAfterMs: null, status: null };
}

/**
 * A reasoner behind any OpenAI-compatible endpoint, through the official SDK: structured output
 * with the allowed actions in the schema, an explicit deadline per decision (the policy's
 * `timeoutMs`), bounded retries with backoff on 429 and 5xx, truncation and refusals handled,
 * tokens and cost counted against the policy's hourly budget, and a concurrency limit per model.
 * Whatever goes wrong becomes a ReasonerFailure carrying what the model said, and the engine's
 * heuristic decides instead.
 */
export class OpenAiReasoner implements Reasoner {
  readonly kind = 'openai';
  private readonly client: OpenAI;
  private readonly budgets = new Map<string, HourlyBudget>();
  private readonly gates = new Map<string, Gate>();
  private readonly logger: Logger;
  private readonly now: () => number;

  constructor(private readonly options: OpenAiReasonerOptions) {
    // Retries are ours (bounded by the policy's deadline), so the SDK's own are off.
    this.client = new OpenAI({ baseURL: options.baseURL, apiKey: options.apiKey ?? 'not-set', maxRetries: 0 });
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
  }

  async propose(request: ReasoningRequest): Promise<ReasonerAnswer> {
    const { model } = request;
    const started = Date.now();
    const deadline = started + model.timeoutMs;
    const messages = [
      { role: 'system' as const, content: request.prompt.system },
      { role: 'user' as const, content: request.prompt.user },
    ];
    const schemaName = request.decisionPoint.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64);
    const body = {
      model: model.name,
      messages,
      max_tokens: model.maxOutputTokens,
      temperature: 0,
      response_format: { type: 'json_schema' as const, json_schema: { name: schemaName, strict: true, schema: request.outputSchema as Record<string, unknown> } },
    };
    const base: { [key: string]: Json } = {
      kind: 'openai',
      name: 'openai-compatible',
      model: model.name,
      prompt: { id: request.prompt.template.id, version: request.prompt.template.version },
      promptDigest: request.prompt.template.digest,
      requestDigest: sha256Hex(canonicalize(body)),
    };
    const budget = this.budgetFor(request.policyId, model);
    const reservation = budget.reserve(this.worstCase(request, model));
    if (!reservation) {
      throw new ReasonerFailure('over-budget', `the policy's model budget of ${model.budget.maxCostMicrosPerHour} micros an hour is spent (${budget.committed()} committed)`, { ...base, attempts: 0 });
    }
    let spent = 0;
    try {
      let release: () => void;
      try {
        release = await this.gateFor(model).acquire(deadline);
      } catch (e) {
        if (e instanceof SlotTimeoutError) throw new ReasonerFailure('timeout', `waited for one of ${model.concurrency} slots until the deadline`, { ...base, attempts: 0 });
        throw e;
      }
      try {
        const answer = await this.call(body, model, deadline, base, started);
        spent = Number(answer.record.costMicros);
        return answer;
      } catch (e) {
        if (e instanceof ReasonerFailure) spent = Number(e.record.costMicros ?? 0);
        throw e;
      } finally {
        release();
      }
    } finally {
      this.settle(budget, reservation, spent, request.policyId);
    }
  }

  private async call(body: Parameters<OpenAI['chat']['completions']['create']>[0], model: ModelSettings, deadline: number, base: { [key: string]: Json }, started: number): Promise<ReasonerAnswer> {
    const usage = { promptTokens: 0, completionTokens: 0 };
    const costOf = () => costMicros(usage.promptTokens, model.pricing.inputMicrosPerMTok) + costMicros(usage.completionTokens, model.pricing.outputMicrosPerMTok);
    const record = (attempts: number, extra: { [key: string]: Json } = {}) => ({ ...base, ...extra, usage: { ...usage }, costMicros: costOf(), attempts, latencyMs: Date.now() - started });
    let last: Attempted | null = null;
    let attempts = 0;
    for (let attempt = 1; attempt <= model.maxRetries + 1; attempt++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      attempts = attempt;
      let completion: OpenAI.Chat.Completions.ChatCompletion;
      // Our own deadline, not only the SDK's timeout: how an abort surfaces varies by runtime, a passed deadline does not.
      const expiry = new AbortController();
      const timer = setTimeout(() => expiry.abort(), remaining);
      try {
        completion = (await this.client.chat.completions.create({ ...body, stream: false }, { timeout: remaining + 1_000, maxRetries: 0, signal: expiry.signal })) as OpenAI.Chat.Completions.ChatCompletion;
      } catch (e) {
        last = expiry.signal.aborted ? { code: 'timeout', message: `no answer within ${model.timeoutMs} ms`, retryable: false, retryAfterMs: null, status: null } : classify(e);
        this.options.metrics?.counter('arbiter_model_errors_total', 'Model calls that failed, by kind').inc({ model: model.name, code: last.code });
        if (!last.retryable || attempt > model.maxRetries) break;
        const wait = backoffMs(attempt, { baseMs: this.options.backoffBaseMs ?? 250, maxMs: this.options.maxBackoffMs ?? 4_000, retryAfterMs: last.retryAfterMs });
        if (Date.now() + wait >= deadline) break;
        await sleep(wait);
        continue;
      } finally {
        clearTimeout(timer);
      }
      usage.promptTokens += completion.usage?.prompt_tokens ?? 0;
      usage.completionTokens += completion.usage?.completion_tokens ?? 0;
      return this.answerFrom(completion, () => record(attempt));
    }
    const failure = last ?? { code: 'timeout' as const, message: 'no time left for another attempt', status: null };
    throw new ReasonerFailure(failure.code, failure.message, record(attempts, failure.status === null ? {} : { lastStatus: failure.status }));
  }

  /** A completed call: usable JSON, or a refusal, a truncation or malformed output (each kept in the record). */
  private answerFrom(completion: OpenAI.Chat.Completions.ChatCompletion, record: () => { [key: string]: Json }): ReasonerAnswer {
    const choice = completion.choices?.[0];
    if (!choice) throw new ReasonerFailure('malformed', 'the response has no choices', record());
    const output = choice.message?.content ?? '';
    const seen = { ...record(), output, finishReason: choice.finish_reason ?? null };
    if (choice.message?.refusal) throw new ReasonerFailure('refused', 'the model refused', { ...seen, refusal: choice.message.refusal });
    if (choice.finish_reason === 'content_filter') throw new ReasonerFailure('refused', 'the answer was withheld by a content filter', seen);
    if (choice.finish_reason === 'length') throw new ReasonerFailure('truncated', 'the answer was cut off at the token limit', seen);
    try {
      return { proposal: proposalFromModelOutput(output), record: seen as unknown as ReasonerAnswer['record'] };
    } catch (e) {
      if (e instanceof MalformedOutputError) throw new ReasonerFailure('malformed', `unusable output: ${e.message}`, seen);
      throw e;
    }
  }

  private worstCase(request: ReasoningRequest, model: ModelSettings): number {
    // About 3 characters a token for this kind of text; rounding up keeps the reservation on the safe side.
    const promptTokens = Math.ceil((request.prompt.system.length + request.prompt.user.length + JSON.stringify(request.outputSchema).length) / 3);
    return costMicros(promptTokens, model.pricing.inputMicrosPerMTok) + costMicros(model.maxOutputTokens, model.pricing.outputMicrosPerMTok);
  }

  private settle(budget: HourlyBudget, reservation: Reservation, spent: number, policyId: string): void {
    budget.settle(reservation, spent);
    this.options.metrics?.counter('arbiter_model_cost_micros_total', 'Model spend in micro-units, by policy').inc({ policy: policyId }, spent);
  }

  private budgetFor(policyId: string, model: ModelSettings): HourlyBudget {
    let budget = this.budgets.get(policyId);
    if (!budget || budget.limitMicros !== model.budget.maxCostMicrosPerHour) {
      budget = new HourlyBudget(model.budget.maxCostMicrosPerHour, this.now);
      this.budgets.set(policyId, budget);
      this.logger.info('model budget', { policy: policyId, model: model.name, microsPerHour: model.budget.maxCostMicrosPerHour });
    }
    return budget;
  }

  private gateFor(model: ModelSettings): Gate {
    let gate = this.gates.get(model.name);
    if (!gate) this.gates.set(model.name, (gate = new Gate(model.concurrency)));
    return gate;
  }
}
