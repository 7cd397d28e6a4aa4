import type { EventStore, Position } from '@arbiter/event-store';
import type { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import type { CallWriter } from '../protocol/call-writer';
import type { UuidFormat } from '../protocol/identifiers';
import { justBefore, positionFrom } from '../protocol/positions';
import { eventResponse } from '../protocol/recorded-event';
import { parseFilter } from './filter';
import { readCount, readDirection } from './read-stream';

/**
 * $all in commit order. Forwards from a position includes the event there; backwards from a
 * position starts with the event before it. The count is of events that pass the filter.
 */
export async function readAll(store: EventStore, options: ReadReq.Options, writer: CallWriter<ReadResp>, uuidFormat: UuidFormat): Promise<void> {
  const all = options.getAll()!;
  const direction = readDirection(options);
  if ((direction === 'forwards' && all.hasEnd()) || (direction === 'backwards' && all.hasStart())) return;
  const position = all.hasPosition() ? positionFrom(all.getPosition()!) : null;
  const after: Position | 'start' | undefined = !position ? undefined : direction === 'forwards' ? justBefore(position) : position;
  const filter = parseFilter(options);
  let remaining = readCount(options);
  if (remaining <= 0) return;
  for await (const event of store.readAll({ after, direction })) {
    if (writer.closed) return;
    if (filter && !filter.matches(event)) continue;
    await writer.write(eventResponse(event, uuidFormat));
    if (--remaining <= 0) return;
  }
}
