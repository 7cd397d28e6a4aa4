import { DECISIONS_CHAIN_PREFIX, KEYS_CHAIN, POLICIES_CHAIN, ROLES, Role } from '../bodies';
import { publicKeyFromDidKey } from '../crypto/did-key';
import { LedgerError } from '../errors';
import type { Json } from '../json/canonical';
import { isHex64, isLedgerTime } from '../record';

/**
 * What an entry must be beyond the JSON form of §1: in a chain that may hold its type (§3), with
 * the body members of §4 that every verifier may rely on. Each check lists what is wrong in
 * words an auditor can act on; an empty list means the entry has the spec's shape.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KEY_NAME = /^[a-z0-9._-]{1,64}$/;
const OUTCOMES = ['approved', 'clamped', 'fallback', 'escalated', 'rejected'];
const REVIEW_VERDICTS = ['approve', 'override', 'reject'];

/** §3: keys in chain `keys`, policies in `policies`, decisions and reviews in `decisions-<subject>`. */
export function chainFitsType(chain: string, type: string): boolean {
  if (type === 'key') return chain === KEYS_CHAIN;
  if (type === 'policy') return chain === POLICIES_CHAIN;
  return chain.length > DECISIONS_CHAIN_PREFIX.length && chain.startsWith(DECISIONS_CHAIN_PREFIX);
}

/** Why `did` is not an Ed25519 did:key (§2), or null. Decoded keys are cached, so this is cheap per record. */
export function didKeyProblem(did: string): string | null {
  try {
    publicKeyFromDidKey(did);
    return null;
  } catch (e) {
    if (!(e instanceof LedgerError)) throw e;
    return e.message;
  }
}

export type Kind = 'absent' | 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array';

/** The members of a decision body §4 names, down to the second level: all the decision check reads. */
export const DECISION_FIELDS = [
  'decisionId', 'decisionPoint',
  'trigger', 'trigger.eventId', 'trigger.type', 'trigger.source', 'trigger.digest',
  'policy', 'policy.id', 'policy.version', 'policy.digest',
  'context', 'context.memoryDigest',
  'reasoner', 'reasoner.kind', 'reasoner.model', 'reasoner.promptDigest',
  'proposal',
  'verdict', 'verdict.outcome', 'verdict.checks',
  'action', 'action.type', 'action.params',
] as const;
export type DecisionField = (typeof DECISION_FIELDS)[number];

/** What a string member of a decision body must look like. */
export type StringFormat = 'non-empty' | 'hex64' | 'uuid';

const FORMAT: Record<StringFormat, { test: (s: string) => boolean; problem: string }> = {
  'non-empty': { test: (s) => s.length > 0, problem: 'is missing or not a non-empty string' },
  hex64: { test: isHex64, problem: 'is not a lowercase hex SHA-256' },
  uuid: { test: (s) => UUID.test(s), problem: 'is not a UUID' },
};

/**
 * A decision body as the check reads it: the kind of each member of DECISION_FIELDS, the form
 * and text of those that are strings. The verifier's fast path answers from spans of the
 * record's bytes, without a parse tree or a string for every member; the strict path from the
 * parsed body.
 */
export interface DecisionView {
  kind(field: DecisionField): Kind;
  /** Only for a member whose kind is `string`. */
  text(field: DecisionField): string;
  /** Only for a member whose kind is `string`: whether it has the format. */
  is(field: DecisionField, format: StringFormat): boolean;
}

function kindOf(value: Json | undefined): Kind {
  if (value === undefined) return 'absent';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as 'string' | 'number' | 'boolean' | 'object';
}

/** A parsed decision body as a DecisionView. */
export function objectDecisionView(body: { [key: string]: Json }): DecisionView {
  const get = (field: DecisionField): Json | undefined => {
    const dot = field.indexOf('.');
    if (dot < 0) return Object.hasOwn(body, field) ? body[field] : undefined;
    const parent = body[field.slice(0, dot)];
    if (!parent || typeof parent !== 'object' || Array.isArray(parent)) return undefined;
    const name = field.slice(dot + 1);
    return Object.hasOwn(parent, name) ? parent[name] : undefined;
  };
  return { kind: (field) => kindOf(get(field)), text: (field) => get(field) as string, is: (field, format) => FORMAT[format].test(get(field) as string) };
}

class Problems {
  readonly list: string[] = [];

  add(problem: string): void {
    this.list.push(problem);
  }

  nonEmptyString(what: string, kind: Kind, text: () => string): void {
    if (kind !== 'string' || !FORMAT['non-empty'].test(text())) this.add(`${what} ${FORMAT['non-empty'].problem}`);
  }

  hex64(what: string, kind: Kind, text: () => string): void {
    if (kind !== 'string' || !FORMAT.hex64.test(text())) this.add(`${what} ${FORMAT.hex64.problem}`);
  }

  present(what: string, kind: Kind): void {
    if (kind === 'absent') this.add(`missing member "${what}"`);
  }

  object(what: string, kind: Kind): boolean {
    if (kind === 'object') return true;
    this.add(`${what} is missing or not an object`);
    return false;
  }
}

function requireString(v: DecisionView, out: string[], field: DecisionField, format: StringFormat = 'non-empty'): void {
  if (v.kind(field) !== 'string' || !v.is(field, format)) out.push(`body.${field} ${FORMAT[format].problem}`);
}

function requireObject(v: DecisionView, out: string[], field: DecisionField): boolean {
  if (v.kind(field) === 'object') return true;
  out.push(`body.${field} is missing or not an object`);
  return false;
}

function requirePresent(v: DecisionView, out: string[], field: DecisionField): void {
  if (v.kind(field) === 'absent') out.push(`missing member "body.${field}"`);
}

/** §4 decision: decisionId (UUID), decisionPoint, trigger, policy, context, reasoner, proposal, verdict, action. */
export function decisionBodyProblems(v: DecisionView): string[] {
  const out: string[] = [];
  requireString(v, out, 'decisionId', 'uuid');
  requireString(v, out, 'decisionPoint');
  if (requireObject(v, out, 'trigger')) {
    requireString(v, out, 'trigger.eventId');
    requireString(v, out, 'trigger.type');
    requireString(v, out, 'trigger.source');
    requireString(v, out, 'trigger.digest', 'hex64');
  }
  if (requireObject(v, out, 'policy')) {
    requireString(v, out, 'policy.id');
    requirePresent(v, out, 'policy.version');
    requireString(v, out, 'policy.digest', 'hex64');
  }
  if (requireObject(v, out, 'context')) requireString(v, out, 'context.memoryDigest');
  if (requireObject(v, out, 'reasoner')) {
    requireString(v, out, 'reasoner.kind');
    if (v.kind('reasoner.model') !== 'absent') requireString(v, out, 'reasoner.model');
    if (v.kind('reasoner.promptDigest') !== 'absent') requireString(v, out, 'reasoner.promptDigest');
  }
  const proposal = v.kind('proposal');
  requirePresent(v, out, 'proposal');
  if (proposal !== 'absent' && proposal !== 'null' && proposal !== 'object') out.push('body.proposal is neither an object nor null');
  const verdict = requireObject(v, out, 'verdict');
  const outcome = verdict ? v.kind('verdict.outcome') : 'absent';
  if (verdict) {
    if (outcome !== 'string' || !OUTCOMES.includes(v.text('verdict.outcome'))) out.push(`body.verdict.outcome is not one of ${OUTCOMES.join(', ')}`);
    if (v.kind('verdict.checks') !== 'array') out.push('body.verdict.checks is not an array');
  }
  const action = v.kind('action');
  requirePresent(v, out, 'action');
  if (action === 'null') {
    // §4: an action is null only while the decision waits for a human (escalated).
    if (outcome !== 'absent' && !(outcome === 'string' && v.text('verdict.outcome') === 'escalated')) {
      out.push(`body.action is null but the outcome is ${outcome === 'string' ? v.text('verdict.outcome') : outcome}, not escalated`);
    }
  } else if (action !== 'absent' && requireObject(v, out, 'action')) {
    requireString(v, out, 'action.type');
    requirePresent(v, out, 'action.params');
  }
  return out;
}

type Body = { [key: string]: Json };

const member = (o: Body, name: string): Json | undefined => (Object.hasOwn(o, name) ? o[name] : undefined);
const isObject = (value: Json | undefined): value is Body => kindOf(value) === 'object';

function actionProblems(p: Problems, what: string, action: Json | undefined): void {
  if (!p.object(what, kindOf(action))) return;
  const a = action as Body;
  p.nonEmptyString(`${what}.type`, kindOf(member(a, 'type')), () => a.type as string);
  p.present(`${what}.params`, kindOf(member(a, 'params')));
}

/** §4 review: the decision it reviews {chain, seq, hash}, reviewer, verdict, action (or null), note. */
export function reviewBodyProblems(body: Body): string[] {
  const p = new Problems();
  const decision = member(body, 'decision');
  if (p.object('body.decision', kindOf(decision))) {
    const d = decision as Body;
    p.nonEmptyString('body.decision.chain', kindOf(member(d, 'chain')), () => d.chain as string);
    if (typeof d.seq !== 'number' || d.seq < 0) p.add('body.decision.seq is not an integer ≥ 0');
    p.hex64('body.decision.hash', kindOf(member(d, 'hash')), () => d.hash as string);
  }
  p.nonEmptyString('body.reviewer', kindOf(member(body, 'reviewer')), () => body.reviewer as string);
  if (!REVIEW_VERDICTS.includes(member(body, 'verdict') as string)) p.add(`body.verdict is not one of ${REVIEW_VERDICTS.join(', ')}`);
  const action = member(body, 'action');
  p.present('body.action', kindOf(action));
  if (action !== undefined && action !== null) actionProblems(p, 'body.action', action);
  if (typeof member(body, 'note') !== 'string') p.add('body.note is missing or not a string');
  return p.list;
}

/** §4 policy: policyId, version, digest, document. Whether the digest is the document's is checked apart (hash-mismatch). */
export function policyBodyProblems(body: Body): string[] {
  const p = new Problems();
  p.nonEmptyString('body.policyId', kindOf(member(body, 'policyId')), () => body.policyId as string);
  p.present('body.version', kindOf(member(body, 'version')));
  p.hex64('body.digest', kindOf(member(body, 'digest')), () => body.digest as string);
  p.present('body.document', kindOf(member(body, 'document')));
  return p.list;
}

/** §2 key: action, key (an Ed25519 did:key), name, roles, notBefore, notAfter (a time or null). */
export function keyBodyProblems(body: Body): string[] {
  const p = new Problems();
  if (body.action !== 'register' && body.action !== 'revoke') p.add('body.action is neither register nor revoke');
  if (typeof member(body, 'key') !== 'string') p.add('body.key is not a string');
  else {
    const problem = didKeyProblem(body.key as string);
    if (problem) p.add(`body.key: ${problem}`);
  }
  if (typeof member(body, 'name') !== 'string' || !KEY_NAME.test(body.name as string)) p.add('body.name is not [a-z0-9._-]{1,64}');
  const roles = member(body, 'roles');
  if (!Array.isArray(roles)) p.add('body.roles is not an array');
  else if (!roles.every((role) => ROLES.includes(role as Role))) p.add(`body.roles holds a role other than ${ROLES.join(', ')}`);
  if (!isLedgerTime(member(body, 'notBefore'))) p.add('body.notBefore is not a UTC time YYYY-MM-DDTHH:MM:SS.sssZ');
  const notAfter = member(body, 'notAfter');
  if (notAfter === undefined) p.add('missing member "body.notAfter"');
  else if (notAfter !== null && !isLedgerTime(notAfter)) p.add('body.notAfter is not a UTC time YYYY-MM-DDTHH:MM:SS.sssZ');
  return p.list;
}

/** The body checks of every type but `decision`, which the fast path reads through a DecisionView. */
export function bodyProblems(type: string, body: Body): string[] {
  if (type === 'decision') return decisionBodyProblems(objectDecisionView(body));
  if (type === 'review') return reviewBodyProblems(body);
  if (type === 'policy') return policyBodyProblems(body);
  return keyBodyProblems(body);
}

/** Everything §2–§4 ask of an entry whose §1 form is right: its chain, its signer's did:key, its body. */
export function entryShapeProblems(entry: { chain: string; type: string; signer: string; body: Body }): string[] {
  const problems: string[] = [];
  if (!chainFitsType(entry.chain, entry.type)) problems.push(`an entry of type ${entry.type} does not belong in chain ${entry.chain}`);
  const signer = didKeyProblem(entry.signer);
  if (signer) problems.push(`signer: ${signer}`);
  problems.push(...bodyProblems(entry.type, entry.body));
  return problems;
}

/** The decision a review names, when it names one in the form §4 gives. */
export function reviewedDecision(body: Body): { chain: string; seq: number; hash: string } | null {
  const d = member(body, 'decision');
  if (!isObject(d) || typeof d.chain !== 'string' || typeof d.seq !== 'number' || typeof d.hash !== 'string') return null;
  return { chain: d.chain, seq: d.seq, hash: d.hash };
}
