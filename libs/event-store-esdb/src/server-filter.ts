import { Filter, eventTypeFilter, excludeSystemEvents, streamNameFilter } from '@eventstore/db-client';
import type { EventFilter } from '@arbiter/event-store';

/**
 * EventStoreDB filters on one thing, stream name or event type: the stream prefixes go to the
 * server when there are any, else the type prefixes, else only system events are left out.
 * The port's whole filter is applied again on arrival.
 */
export function serverFilter(filter: EventFilter | undefined): Filter {
  if (filter?.streamPrefixes?.length) return streamNameFilter({ prefixes: filter.streamPrefixes });
  if (filter?.eventTypePrefixes?.length) return eventTypeFilter({ prefixes: filter.eventTypePrefixes });
  return excludeSystemEvents();
}
