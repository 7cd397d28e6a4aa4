import { join } from 'node:path';
import { DomainEvent, domainEventTypes, parseDomainEvent } from '@arbiter/contracts';
import type { Json } from '@arbiter/ledger';
import { CustomerMemory, emptyCustomerMemory } from '@arbiter/memory';
import { LoadedPolicy, PolicyBook, allowedActions, caseBindings, judge } from '@arbiter/policy';
import type { ReasoningInput } from './decision-point';

/** The shipped policies, as the runtime loads them. */
export const shippedPolicies = PolicyBook.load(join(__dirname, '..', '..', '..', 'policies'));

type DeepPartial<T> = { [K in keyof T]?: T[K] extends (infer U)[] ? U[] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

function merge<T>(base: T, patch: DeepPartial<T>): T {
  const out = { ...base } as Record<string, unknown>;
  for (const [k, v] of Object.entries(patch as object)) {
    const b = (base as Record<string, unknown>)[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' ? merge(b, v) : v;
  }
  return out as T;
}

export function memoryOf(customerId: string, patch: DeepPartial<CustomerMemory> = {}): CustomerMemory {
  return merge({ ...emptyCustomerMemory(customerId, '2026-06-01T12:00:00.000Z'), known: true }, patch);
}

/** A validated CloudEvent of the given type, for specifications. */
export function eventOf<T extends DomainEvent['type']>(type: T, data: object, id = 'e1'): Extract<DomainEvent, { type: T }> {
  const subject = (data as Record<string, string>)[domainEventTypes[type].subjectField];
  return parseDomainEvent({ specversion: '1.0', id, source: '/spec', type, subject, time: '2026-06-01T12:00:00.000Z', data }) as Extract<DomainEvent, { type: T }>;
}

/** A reasoning input with the allowed set computed as the engine would. */
export function inputOf<E extends DomainEvent>(policy: LoadedPolicy, event: E, memory: CustomerMemory, facts: { [key: string]: Json } = {}): ReasoningInput<E> {
  const bindings = caseBindings(policy.document, { event, memory, facts });
  return { event, memory, facts, policy, allowed: allowedActions(policy, bindings) };
}

/** The policy's verdict on a proposal in the input's case. */
export function verdictOn(input: ReasoningInput, proposal: Parameters<typeof judge>[1]) {
  return judge(input.policy, proposal, caseBindings(input.policy.document, { event: input.event, memory: input.memory, facts: input.facts }), input.allowed);
}
