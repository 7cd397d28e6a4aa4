import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { configFromEnv } from '@arbiter/runtime';
import { CliError } from '../output';

interface Connection {
  url: string;
  apiKey: string;
}

/** The running Arbiter's API: --url, else ARBITER_HOST:ARBITER_PORT; the key from --api-key, ARBITER_API_KEY or the data directory. */
function connection(options: { url?: string; apiKey?: string; data?: string }): Connection {
  const config = configFromEnv(process.env, options.data ? { dataDir: options.data } : {});
  const url = (options.url ?? `http://${config.host}:${config.port}`).replace(/\/+$/, '');
  const file = join(resolve(config.dataDir), 'api-key');
  const apiKey = options.apiKey ?? config.apiKey ?? (existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined);
  if (!apiKey) throw new CliError(`no API key: pass --api-key, set ARBITER_API_KEY, or point --data at the data directory holding api-key`, 2);
  return { url, apiKey };
}

async function call(c: Connection, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${c.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${c.apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  } catch (e) {
    throw new CliError(`cannot reach Arbiter at ${c.url}: ${(e as Error).message}`, 2);
  }
  const payload = (await res.json().catch(() => ({}))) as { message?: unknown; checks?: { check: string; result: string; detail: string }[] };
  if (!res.ok) {
    const checks = (payload.checks ?? []).filter((k) => k.result !== 'pass' && k.result !== 'skipped').map((k) => `\n  ${k.check}: ${k.result} (${k.detail})`).join('');
    throw new CliError(`${res.status}: ${Array.isArray(payload.message) ? payload.message.join('; ') : String(payload.message ?? res.statusText)}${checks}`, 1);
  }
  return payload;
}

/** `key=value` pairs into action parameters: integers stay integers, true/false booleans, the rest strings. */
function parseParam(pair: string, params: Record<string, unknown> = {}): Record<string, unknown> {
  const at = pair.indexOf('=');
  if (at < 1) throw new CliError(`--param takes key=value, not "${pair}"`, 2);
  const raw = pair.slice(at + 1);
  params[pair.slice(0, at)] = /^-?\d+$/.test(raw) ? Number(raw) : raw === 'true' ? true : raw === 'false' ? false : raw;
  return params;
}

interface Common {
  url?: string;
  apiKey?: string;
  data?: string;
  json?: boolean;
}

const withConnection = (cmd: Command) =>
  cmd
    .option('--url <url>', 'Arbiter\'s HTTP API (default: http://ARBITER_HOST:ARBITER_PORT)')
    .option('--api-key <key>', 'API key (default: ARBITER_API_KEY, or <data>/api-key)')
    .option('--data <dir>', 'data directory holding api-key (default: ARBITER_DATA_DIR or ./data)')
    .option('--json', 'print the API\'s answer as JSON');

interface ReviewItem {
  decisionId: string;
  decisionPoint: string;
  customerId: string;
  rules: string[];
  pendingAction: { type: string; params: Record<string, unknown> };
  dueAt: string;
  review: { verdict: string; reviewer: string; outcome: string } | null;
}

function printReviews(reviews: ReviewItem[]): void {
  if (reviews.length === 0) process.stdout.write('no reviews\n');
  for (const r of reviews) {
    const state = r.review ? `${r.review.verdict} by ${r.review.reviewer} → ${r.review.outcome}` : `due ${r.dueAt}`;
    process.stdout.write(`${r.decisionId}  ${r.decisionPoint}  ${r.customerId}  [${r.rules.join(', ')}]  pending ${r.pendingAction.type} ${JSON.stringify(r.pendingAction.params)}  ${state}\n`);
  }
}

function verdictCommand(reviews: Command, verdict: 'approve' | 'override' | 'reject', description: string): Command {
  return withConnection(reviews.command(verdict).argument('<decisionId>', 'the escalated decision').description(description))
    .requiredOption('--reviewer <name>', 'who decides (recorded in the signed review)')
    .option('--note <text>', 'why', '');
}

export function registerReviewsCommand(program: Command): void {
  const reviews = program
    .command('reviews')
    .description('The review queue: escalated decisions waiting for a human. Talks to a running Arbiter over its HTTP API.')
    .addHelpText('after', '\nExit status: 0 on success, 1 when Arbiter refuses (with its reason), 2 on a usage or connection error.');

  withConnection(reviews.command('list').description('List escalated decisions (pending by default).'))
    .option('--status <status>', 'pending | resolved', 'pending')
    .option('--decision-point <id>', 'only this decision point')
    .option('--limit <n>', 'at most this many', '50')
    .action(async (options: Common & { status: string; decisionPoint?: string; limit: string }) => {
      const query = new URLSearchParams({ status: options.status, limit: options.limit, ...(options.decisionPoint ? { decisionPoint: options.decisionPoint } : {}) });
      const result = (await call(connection(options), 'GET', `/v1/reviews?${query}`)) as { reviews: ReviewItem[] };
      if (options.json) process.stdout.write(JSON.stringify(result) + '\n');
      else printReviews(result.reviews);
    });

  const settle = async (id: string, options: Common, body: object) => {
    const result = (await call(connection(options), 'POST', `/v1/reviews/${encodeURIComponent(id)}`, body)) as { outcome: string; action: unknown; ledger: { chain: string; seq: number } };
    if (options.json) process.stdout.write(JSON.stringify(result) + '\n');
    else process.stdout.write(`${result.outcome}: ${JSON.stringify(result.action)}  (review ${result.ledger.chain}#${result.ledger.seq})\n`);
  };

  verdictCommand(reviews, 'approve', 'Approve: execute the action the decision held for review.').action((id: string, o: Common & { reviewer: string; note: string }) =>
    settle(id, o, { verdict: 'approve', reviewer: o.reviewer, note: o.note }),
  );
  verdictCommand(reviews, 'override', 'Override: execute another action instead; it must lie within the policy.')
    .requiredOption('--action <type>', 'the action type')
    .option('--param <key=value>', 'an action parameter (repeatable)', parseParam, {})
    .action((id: string, o: Common & { reviewer: string; note: string; action: string; param: Record<string, unknown> }) =>
      settle(id, o, { verdict: 'override', reviewer: o.reviewer, note: o.note, action: { type: o.action, params: o.param } }),
    );
  verdictCommand(reviews, 'reject', 'Reject: execute nothing; the decision is final as rejected.').action((id: string, o: Common & { reviewer: string; note: string }) =>
    settle(id, o, { verdict: 'reject', reviewer: o.reviewer, note: o.note }),
  );
}
