import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DomainEvent } from '@arbiter/contracts';
import { LedgerRecord, collectLedgerLeaves, parseRecord } from '@arbiter/ledger';
import type { ReviewItem } from '@arbiter/memory';
import { Check, LoadedPolicy, caseBindings, checkOverride } from '@arbiter/policy';
import { publishDomainEvents } from '@arbiter/simulator';
import { API_KEY, POLICIES, Running } from './harness';

export const auth = { authorization: `Bearer ${API_KEY}` };

type Action = { type: string; params: Record<string, unknown> };

/** One decision as POST /v1/decisions answers it. */
export interface DecisionAnswer {
  decisionId: string;
  decisionPoint: string;
  status?: string;
  outcome: string;
  action: Action | null;
  checks: Check[];
  reasoner: { kind: string | null; reason?: string };
  ledger: { chain: string; seq: number; hash: string };
}

/** What the API answers, read as the specifications need it: decisions, reviews, or an error with its reason. */
export interface Answer {
  decisions: DecisionAnswer[];
  reviews: ReviewItem[];
  message: string;
  checks: Check[];
  [key: string]: unknown;
}

/** POST /v1/decisions with a CloudEvent; the status, Location and body. */
export async function decideOverHttp(r: Running, event: unknown, query = ''): Promise<{ status: number; location: string | null; body: Answer }> {
  const res = await fetch(`${r.url}/v1/decisions${query}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(event) });
  return { status: res.status, location: res.headers.get('location'), body: (await res.json()) as Answer };
}

export async function getJson(r: Running, path: string): Promise<{ status: number; body: Answer }> {
  const res = await fetch(`${r.url}${path}`, { headers: auth });
  return { status: res.status, body: (await res.json()) as Answer };
}

export async function postJson(r: Running, path: string, body: unknown): Promise<{ status: number; body: Answer }> {
  const res = await fetch(`${r.url}${path}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Answer };
}

/** Publishes a history and waits until memory (and everything else) has caught up with it. */
export async function tell(r: Running, events: DomainEvent[]): Promise<void> {
  await publishDomainEvents(r.core.platform.bus, events);
  await r.settle();
}

export async function ledgerRecords(r: Running): Promise<LedgerRecord[]> {
  return (await collectLedgerLeaves(r.core.platform.store)).map((l) => parseRecord(l.text));
}

export async function decisionFor(r: Running, eventId: string): Promise<LedgerRecord> {
  const found = (await ledgerRecords(r)).find((x) => x.type === 'decision' && (x.body.trigger as { eventId: string }).eventId === eventId);
  if (!found) throw new Error(`no decision for ${eventId}`);
  return found;
}

/**
 * Judges a recorded action again, on the case the decision recorded, without clamping:
 * an executed action that fails here violated its policy.
 */
export function violations(policy: LoadedPolicy, record: LedgerRecord, action: { type: string; params: Record<string, unknown> }): Check[] {
  const context = record.body.context as { event: unknown; memory: unknown; facts: unknown };
  const { checks } = checkOverride(policy, action, caseBindings(policy.document, context));
  return checks.filter((c) => c.result === 'fail' || c.result === 'clamped');
}

/** A copy of the shipped policies with model deadlines shortened, so slow-model tests run in seconds. */
export function policiesWithModelTimeout(timeoutMs: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-policies-'));
  mkdirSync(join(dir, 'tests'));
  for (const f of readdirSync(POLICIES).filter((f) => f.endsWith('.yaml'))) {
    writeFileSync(join(dir, f), readFileSync(join(POLICIES, f), 'utf8').replace(/timeoutMs: \d+/, `timeoutMs: ${timeoutMs}`));
  }
  return dir;
}
