import { ConsoleLogger, LoggerService } from '@nestjs/common';
import type { Logger } from '@arbiter/telemetry';

/** NestJS's logger, JSON lines by default: one structured record per event. */
export function createNestLogger(format: 'json' | 'pretty'): ConsoleLogger {
  return new ConsoleLogger('Arbiter', { json: format === 'json', colors: format === 'pretty' && process.stdout.isTTY, timestamp: format === 'pretty' });
}

/** The libraries' Logger, written through Nest's logger with a context per component. */
export function libraryLogger(nest: LoggerService, context: string): Logger {
  const line = (message: string, fields?: Record<string, unknown>) => (fields && Object.keys(fields).length ? { message, ...fields } : message);
  return {
    info: (message, fields) => nest.log(line(message, fields), context),
    warn: (message, fields) => nest.warn(line(message, fields), context),
    error: (message, fields) => nest.error(line(message, fields), undefined, context),
  };
}
