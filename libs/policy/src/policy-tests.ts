import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ContractViolation, domainEventTypes, isDomainEventType, parseDomainEvent } from '@arbiter/contracts';
import { emptyCustomerMemory } from '@arbiter/memory';
import { caseBindings } from './compiled-policy';
import type { LoadedPolicy, PolicyBook } from './policy-book';
import { PolicyError } from './policy-book';
import { Verdict, judge } from './verdict';

const action = z.object({ type: z.string(), params: z.record(z.string(), z.unknown()) }).strict();
const proposal = z.object({ type: z.string(), params: z.record(z.string(), z.unknown()), confidenceBps: z.number().int().min(0).max(10_000).optional(), rationale: z.string().optional() }).strict();

const testCase = z
  .object({
    name: z.string().min(1),
    given: z
      .object({
        event: z.looseObject({ type: z.string(), data: z.record(z.string(), z.unknown()) }),
        /** Merged over an empty memory: name only what matters to the case. */
        memory: z.record(z.string(), z.unknown()).default({}),
        facts: z.record(z.string(), z.unknown()).default({}),
      })
      .strict(),
    when: z.object({ proposal: proposal.nullable() }).strict(),
    then: z
      .object({
        outcome: z.enum(['approved', 'clamped', 'fallback', 'escalated']),
        action: action.nullable().optional(),
        pendingAction: action.optional(),
        escalatedBy: z.array(z.string()).optional(),
        checks: z.record(z.string(), z.enum(['pass', 'fail', 'clamped', 'skipped', 'escalate'])).optional(),
      })
      .strict(),
  })
  .strict();
export type PolicyTestCase = z.infer<typeof testCase>;

const testFile = z.object({ policy: z.string(), cases: z.array(testCase).min(1) }).strict();

export interface PolicyTestSuite {
  file: string;
  policyId: string;
  cases: PolicyTestCase[];
}

export interface PolicyTestResult {
  file: string;
  policyId: string;
  name: string;
  ok: boolean;
  problems: string[];
  verdict: Verdict | null;
}

/** The test files kept next to the policies: `<policies>/tests/*.yaml`. */
export function loadPolicyTests(policiesDir: string): PolicyTestSuite[] {
  const dir = join(policiesDir, 'tests');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => {
      const file = join(dir, f);
      let raw: unknown;
      try {
        raw = parseYaml(readFileSync(file, 'utf8'), { uniqueKeys: true });
      } catch (e) {
        throw new PolicyError(`${file}: not valid YAML: ${(e as Error).message}`);
      }
      const parsed = testFile.safeParse(raw);
      if (!parsed.success) throw new PolicyError(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
      return { file, policyId: parsed.data.policy, cases: parsed.data.cases };
    });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function mergeOver(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) out[k] = mergeOver(base[k], v);
  return out;
}

/** The case's event as a full CloudEvent, validated like any event on the bus. */
function eventOf(given: PolicyTestCase['given']): unknown {
  const { type, data } = given.event;
  const subjectField = isDomainEventType(type) ? domainEventTypes[type].subjectField : undefined;
  return parseDomainEvent({
    specversion: '1.0',
    id: 'policy-test-event',
    source: '/policy-test',
    time: '2026-06-01T12:00:00.000Z',
    subject: subjectField ? data[subjectField] : undefined,
    ...given.event,
  });
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Runs one case: given an event, memory and facts, when the proposal is judged, then the verdict is as expected. */
export function runPolicyTest(policy: LoadedPolicy, c: PolicyTestCase): Omit<PolicyTestResult, 'file' | 'policyId'> {
  let event: { subject: string };
  try {
    event = eventOf(c.given) as { subject: string };
  } catch (e) {
    const reason = e instanceof ContractViolation ? e.reason : (e as Error).message;
    return { name: c.name, ok: false, problems: [`the given event is invalid: ${reason}`], verdict: null };
  }
  const memory = mergeOver(emptyCustomerMemory(event.subject), c.given.memory);
  const verdict = judge(policy, c.when.proposal, caseBindings(policy.document, { event, memory, facts: c.given.facts }));
  const problems: string[] = [];
  const { then } = c;
  if (verdict.outcome !== then.outcome) problems.push(`outcome: expected ${then.outcome}, got ${verdict.outcome}`);
  if (then.action !== undefined && !same(verdict.action, then.action)) problems.push(`action: expected ${JSON.stringify(then.action)}, got ${JSON.stringify(verdict.action)}`);
  if (then.pendingAction && !same(verdict.escalation?.pendingAction, then.pendingAction)) {
    problems.push(`pending action: expected ${JSON.stringify(then.pendingAction)}, got ${JSON.stringify(verdict.escalation?.pendingAction ?? null)}`);
  }
  if (then.escalatedBy && !same([...(verdict.escalation?.rules ?? [])].sort(), [...then.escalatedBy].sort())) {
    problems.push(`escalated by: expected ${then.escalatedBy.join(', ') || 'nothing'}, got ${verdict.escalation?.rules.join(', ') || 'nothing'}`);
  }
  for (const [check, expected] of Object.entries(then.checks ?? {})) {
    const got = verdict.checks.find((k) => k.check === check);
    if (!got) problems.push(`check ${check}: expected ${expected}, but the verdict has no such check`);
    else if (got.result !== expected) problems.push(`check ${check}: expected ${expected}, got ${got.result} (${got.detail})`);
  }
  return { name: c.name, ok: problems.length === 0, problems, verdict };
}

/** Runs every test file against the policy it names; a file naming an unknown policy is a failure. */
export function runPolicyTests(book: PolicyBook, suites: PolicyTestSuite[]): PolicyTestResult[] {
  const results: PolicyTestResult[] = [];
  for (const suite of suites) {
    const policy = book.all().find((p) => p.document.policyId === suite.policyId);
    for (const c of suite.cases) {
      if (!policy) results.push({ file: suite.file, policyId: suite.policyId, name: c.name, ok: false, problems: [`no policy ${suite.policyId} in the book`], verdict: null });
      else results.push({ file: suite.file, policyId: suite.policyId, ...runPolicyTest(policy, c) });
    }
  }
  return results;
}
