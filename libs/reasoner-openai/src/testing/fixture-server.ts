import { readFileSync } from 'node:fs';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** One recorded HTTP answer: status, headers, a JSON body (or raw text), and how long it took. */
export interface FixtureResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Sent as is instead of `body`: for bytes that are not JSON at all. */
  raw?: string;
  delayMs?: number;
}

/** Which requests an exchange answers (every condition given must hold), and its answers in order. */
export interface FixtureExchange {
  name?: string;
  match: { schema?: string; model?: string; userContains?: string };
  responses: FixtureResponse[];
  /** Keep answering with the responses in rotation instead of using each once. */
  repeat?: boolean;
}

export interface RecordedRequest {
  path: string;
  authorization: string | null;
  body: { model?: string; messages?: { role: string; content: string }[]; response_format?: { json_schema?: { name?: string; schema?: unknown } }; [key: string]: unknown };
  exchange: string | null;
}

/** Thrown by verify(): a request no fixture answered, or a fixture nobody asked for. */
export class FixtureMismatchError extends Error {
  readonly code = 'fixture-mismatch';
}

const FIXTURES_DIR = join(__dirname, 'fixtures');

/** The exchanges recorded in `src/testing/fixtures/<name>.json`. */
export function loadFixtures(name: string): FixtureExchange[] {
  return (JSON.parse(readFileSync(join(FIXTURES_DIR, `${name}.json`), 'utf8')) as { exchanges: FixtureExchange[] }).exchanges;
}

/**
 * A local OpenAI-compatible endpoint that replays recorded exchanges to the real SDK: answers,
 * 429s, 5xx, slow answers, truncated, refused and malformed output. Strict: a request no
 * exchange matches gets a 400 and makes verify() fail the test.
 */
export class FixtureServer {
  readonly requests: RecordedRequest[] = [];
  private readonly used = new Map<FixtureExchange, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private inFlight = 0;
  /** The most requests this server ever had in flight at once. */
  maxInFlight = 0;

  private constructor(
    private readonly server: Server,
    private readonly exchanges: FixtureExchange[],
  ) {}

  static async start(exchanges: FixtureExchange[]): Promise<FixtureServer> {
    const server = createServer();
    const fixture = new FixtureServer(server, exchanges);
    server.on('request', (req, res) => void fixture.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fixture;
  }

  /** What OPENAI_BASE_URL is set to. */
  get baseURL(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  get unmatched(): RecordedRequest[] {
    return this.requests.filter((r) => r.exchange === null);
  }

  /** Fails when a request went unanswered by the fixtures, or (with `allUsed`) a one-off answer was never asked for. */
  verify(options: { allUsed?: boolean } = {}): void {
    const problems = this.unmatched.map((r) => `unmatched request to ${r.path} (schema ${r.body.response_format?.json_schema?.name ?? 'none'})`);
    if (options.allUsed) {
      for (const e of this.exchanges) {
        if (!e.repeat && (this.used.get(e) ?? 0) < e.responses.length) problems.push(`exchange ${e.name ?? JSON.stringify(e.match)} used ${this.used.get(e) ?? 0} of ${e.responses.length} times`);
      }
    }
    if (problems.length) throw new FixtureMismatchError(problems.join('; '));
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    res.on('close', () => this.inFlight--);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: RecordedRequest['body'];
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      body = {};
    }
    const exchange = req.method === 'POST' && req.url?.endsWith('/chat/completions') ? this.match(body) : undefined;
    this.requests.push({ path: req.url ?? '', authorization: req.headers.authorization ?? null, body, exchange: exchange ? (exchange.name ?? JSON.stringify(exchange.match)) : null });
    if (!exchange) {
      this.send(res, { status: 400, body: { error: { message: 'fixture server: no recorded exchange matches this request', type: 'invalid_request_error' } } });
      return;
    }
    const n = this.used.get(exchange) ?? 0;
    this.used.set(exchange, n + 1);
    const response = exchange.responses[n % exchange.responses.length];
    if (!response.delayMs) return this.send(res, response);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.send(res, response);
    }, response.delayMs);
    this.timers.add(timer);
  }

  private match(body: RecordedRequest['body']): FixtureExchange | undefined {
    const user = body.messages?.find((m) => m.role === 'user')?.content ?? '';
    return this.exchanges.find((e) => {
      if (!e.repeat && (this.used.get(e) ?? 0) >= e.responses.length) return false;
      const m = e.match;
      return (!m.schema || body.response_format?.json_schema?.name === m.schema) && (!m.model || body.model === m.model) && (!m.userContains || user.includes(m.userContains));
    });
  }

  private send(res: ServerResponse, response: FixtureResponse): void {
    if (res.destroyed || res.writableEnded) return;
    const text = response.raw ?? JSON.stringify(response.body ?? {});
    res.writeHead(response.status ?? 200, { 'content-type': 'application/json', ...response.headers });
    res.end(text);
  }
}
