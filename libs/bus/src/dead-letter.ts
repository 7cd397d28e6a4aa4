import { Batch, Bus, BusMessage, deadLetterTopic } from './bus';

export interface DeadLetterOptions {
  /** Errors that retrying cannot fix (bad input): straight to the DLQ. */
  isPermanent: (error: unknown) => boolean;
  /** Errors that mean "not now" (store down): retried without limit, which holds the partition back. */
  isTransient?: (error: unknown) => boolean;
  /** Attempts for other errors before the message goes to the DLQ. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  onDeadLetter?: (message: BusMessage, reason: string) => void;
  onRetry?: (message: BusMessage, error: unknown, attempt: number) => void;
  /** Stops retrying when it returns true (the consumer is shutting down). */
  stopping?: () => boolean;
}

export class ConsumerStoppingError extends Error {
  readonly code = 'consumer-stopping';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Turns a per-message handler into a batch handler with the house rules: bad input goes to
 * `<topic>.dlq` with the reason in headers and never blocks the partition; transient failures
 * back off and retry (backpressure); anything else is retried a few times, then dead-lettered.
 */
export function eachMessageWithDeadLetters(
  bus: Bus,
  handle: (message: BusMessage, batch: Batch) => Promise<void>,
  options: DeadLetterOptions,
): (batch: Batch) => Promise<void> {
  const maxAttempts = options.maxAttempts ?? 5;
  const base = options.baseDelayMs ?? 100;
  const cap = options.maxDelayMs ?? 5_000;
  return async (batch) => {
    for (const message of batch.messages) {
      for (let attempt = 1; ; attempt++) {
        try {
          await handle(message, batch);
          break;
        } catch (error) {
          const transient = options.isTransient?.(error) ?? false;
          if (options.isPermanent(error) || (!transient && attempt >= maxAttempts)) {
            const reason = error instanceof Error ? error.message : String(error);
            await bus.publish(deadLetterTopic(message.topic), [
              {
                key: message.key ?? '',
                value: message.value,
                headers: {
                  ...message.headers,
                  'dlq-reason': reason.slice(0, 1000),
                  'dlq-error-code': String((error as { code?: unknown }).code ?? 'error'),
                  'dlq-topic': message.topic,
                  'dlq-partition': String(message.partition),
                  'dlq-offset': String(message.offset),
                  'dlq-attempts': String(attempt),
                },
              },
            ]);
            options.onDeadLetter?.(message, reason);
            break;
          }
          if (options.stopping?.()) throw new ConsumerStoppingError('stopped while retrying');
          options.onRetry?.(message, error, attempt);
          await sleep(Math.min(cap, base * 2 ** Math.min(attempt - 1, 16)) * (0.5 + Math.random() / 2));
          await batch.heartbeat?.();
        }
      }
    }
  };
}
