import { z } from 'zod';
import { cloudEventSchema } from './cloud-event';
import { DomainEventData, DomainEventType, domainEventTypes, isDomainEventType } from './domain-events';

/** A validated domain event: the envelope with typed `data` and a required `subject`. */
export type DomainEvent<T extends DomainEventType = DomainEventType> = {
  [K in T]: {
    specversion: '1.0';
    id: string;
    source: string;
    type: K;
    subject: string;
    time?: string;
    data: DomainEventData[K];
  } & Record<string, unknown>;
}[T];

/** Why an event was refused; `reason` is one line, fit for a DLQ header or an HTTP 400. */
export class ContractViolation extends Error {
  readonly code = 'contract-violation';
  constructor(
    readonly reason: string,
    readonly issues: readonly string[] = [],
  ) {
    super(reason);
    this.name = 'ContractViolation';
  }
}

/** The largest domain event accepted, in bytes of its JSON form. */
export const MAX_EVENT_BYTES = 256 * 1024;

function describe(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
}

/** Decodes and validates a domain event from the bytes of a message (JSON structured mode). */
export function decodeDomainEvent(bytes: Uint8Array | string): DomainEvent {
  const size = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength;
  if (size > MAX_EVENT_BYTES) throw new ContractViolation(`event is ${size} bytes; the limit is ${MAX_EVENT_BYTES}`);
  let json: unknown;
  try {
    json = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    throw new ContractViolation(`not JSON: ${(e as Error).message}`);
  }
  return parseDomainEvent(json);
}

/** Validates a decoded value as a CloudEvent carrying a known domain event. */
export function parseDomainEvent(value: unknown): DomainEvent {
  const envelope = cloudEventSchema.safeParse(value);
  if (!envelope.success) {
    const issues = describe(envelope.error);
    throw new ContractViolation(`not a CloudEvent 1.0: ${issues[0]}`, issues);
  }
  const event = envelope.data;
  if (!isDomainEventType(event.type)) throw new ContractViolation(`unknown event type "${event.type}"`);
  const spec = domainEventTypes[event.type];
  const data = spec.data.safeParse(event.data);
  if (!data.success) {
    const issues = describe(data.error);
    throw new ContractViolation(`invalid ${event.type} data: ${issues[0]}`, issues);
  }
  const owner = (data.data as Record<string, unknown>)[spec.subjectField];
  if (event.subject === undefined) throw new ContractViolation(`subject is required (the ${spec.subjectField})`);
  if (event.subject !== owner) {
    throw new ContractViolation(`subject "${event.subject}" does not match data.${spec.subjectField} "${String(owner)}"`);
  }
  return { ...event, data: data.data } as DomainEvent;
}

export function topicOf(type: DomainEventType): string {
  return domainEventTypes[type].topic;
}
