import { ContractViolation } from '@arbiter/contracts';
import { StoreUnavailableError } from '@arbiter/event-store';
import { reasonerGroup } from '@arbiter/reasoning';
import type { Logger } from '@arbiter/telemetry';
import type { ArbiterCore } from '../arbiter-core';
import { BusTransport } from './bus-transport';

const TRANSIENT_CODES = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'ECONNREFUSED', 'ECONNRESET'];

/** The store is down or busy: retry, holding the partition back until it answers (backpressure). */
export const isTransient = (e: unknown) => e instanceof StoreUnavailableError || TRANSIENT_CODES.includes(String((e as { code?: unknown }).code));

/**
 * The reasoner's intake as a NestJS microservice transport: every domain topic, in the ledger's
 * reasoner group. Invalid events go to `<topic>.dlq` with the reason; a store that is down holds
 * the partition back until it returns; offsets are committed only after the decisions are in
 * the ledger.
 */
export function reasonerTransport(core: ArbiterCore, logger: Logger): BusTransport {
  const metrics = core.platform.metrics;
  return new BusTransport({
    bus: core.platform.bus,
    group: reasonerGroup(core.platform.config.ledgerId),
    logger,
    deadLetters: {
      isPermanent: (e) => e instanceof ContractViolation,
      isTransient,
      onDeadLetter: (m, reason) => {
        metrics.counter('arbiter_dead_letters_total', 'Messages sent to a dead-letter topic').inc({ topic: m.topic });
        logger.warn('event dead-lettered', { topic: m.topic, partition: m.partition, offset: m.offset.toString(), reason });
      },
      onRetry: (m, e, attempt) => logger.warn('decision failed; retrying', { topic: m.topic, offset: m.offset.toString(), attempt, error: (e as Error).message }),
    },
  });
}
