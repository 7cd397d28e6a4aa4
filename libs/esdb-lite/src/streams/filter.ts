import type { StoredEvent } from '@arbiter/event-store';
import { ReadReq } from '@eventstore/db-client/generated/streams_pb';

/** EventStoreDB's default search window when the client asks for none (the read batch size). */
const DEFAULT_WINDOW = 32;

export interface ServerFilter {
  matches(event: StoredEvent): boolean;
  /** A filtered $all subscription sends a checkpoint after this many events looked at. */
  checkpointInterval: number;
}

/** A server-side filter on the stream name or the event type: prefixes, else a regular expression. */
export function parseFilter(options: ReadReq.Options): ServerFilter | null {
  if (!options.hasFilter()) return null;
  const filter = options.getFilter()!;
  const onStream = filter.hasStreamIdentifier();
  const expression = onStream ? filter.getStreamIdentifier() : filter.getEventType();
  if (!expression) throw new TypeError('a filter names a stream or an event type expression');
  const test = expressionTest(expression);
  const window = filter.hasMax() && filter.getMax() > 0 ? filter.getMax() : DEFAULT_WINDOW;
  return {
    matches: (event) => test(onStream ? event.stream : event.type),
    checkpointInterval: window * Math.max(1, filter.getCheckpointintervalmultiplier()),
  };
}

function expressionTest(expression: ReadReq.Options.FilterOptions.Expression): (value: string) => boolean {
  const prefixes = expression.getPrefixList();
  if (prefixes.length > 0) return (value) => prefixes.some((p) => value.startsWith(p));
  const source = expression.getRegex();
  if (!source) return () => true;
  let regex: RegExp;
  try {
    regex = new RegExp(source);
  } catch (e) {
    throw new TypeError(`the filter's regular expression is invalid: ${(e as Error).message}`);
  }
  return (value) => regex.test(value);
}
