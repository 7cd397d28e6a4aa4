import { z } from 'zod';
import { cloudEventSchema } from './cloud-event';
import { decisionMadeData } from './decision-event';
import { domainEventTypes } from './domain-events';

/** JSON Schema (draft 2020-12) for every contract, keyed by event type, for non-TypeScript services. */
export function exportJsonSchemas(): Record<string, unknown> {
  const schemas: Record<string, unknown> = {
    cloudevent: z.toJSONSchema(cloudEventSchema, { io: 'input', unrepresentable: 'any' }),
    'arbiter.decision.made': z.toJSONSchema(decisionMadeData, { io: 'input' }),
  };
  for (const [type, spec] of Object.entries(domainEventTypes)) {
    schemas[type] = z.toJSONSchema(spec.data, { io: 'input' });
  }
  return schemas;
}
