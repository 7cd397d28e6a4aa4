import { randomUUID } from 'node:crypto';

/**
 * A decision body with every member LEDGER-SPEC §4 names, for tests that need a valid decision
 * entry and care only about its trigger and action.
 */
export function exampleDecisionBody(eventId: string, action: { type: string; params: Record<string, number | string> } = { type: 'ship', params: {} }) {
  return {
    decisionId: randomUUID(),
    decisionPoint: 'p',
    trigger: { eventId, type: 'order.placed', source: '/shop', digest: 'ab'.repeat(32) },
    policy: { id: 'orders', version: 1, digest: 'cd'.repeat(32) },
    context: { memoryDigest: 'ef'.repeat(32) },
    reasoner: { kind: 'heuristic' },
    proposal: action,
    verdict: { outcome: 'approved', checks: [] },
    action,
  };
}
