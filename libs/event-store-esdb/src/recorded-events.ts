import { AllStreamResolvedEvent, EventData, MetadataType, ResolvedEvent, binaryEvent, jsonEvent } from '@eventstore/db-client';
import type { NewEvent, StoredEvent } from '@arbiter/event-store';

/**
 * Binary events go byte for byte. JSON events go as JSON values: the client serialises them
 * itself, which is what lets EventStoreDB's UI and projections read them. Metadata is sent as
 * bytes (a plain Uint8Array: the client serialises anything else as JSON).
 */
export function toEventData(event: NewEvent): EventData {
  const metadata = event.metadata ? new Uint8Array(event.metadata) : undefined;
  if (event.contentType === 'application/json') {
    return jsonEvent({ id: event.id, type: event.type, data: JSON.parse(Buffer.from(event.data).toString('utf8')), metadata });
  }
  return binaryEvent({ id: event.id, type: event.type, data: event.data, metadata });
}

/** EventStoreDB's own events ($metadata, $streamDeleted, links, statistics) are not the domain's. */
export function isSystemEvent(event: StoredEvent): boolean {
  return event.type.startsWith('$');
}

/**
 * The client hands JSON data back parsed, and metadata parsed whenever it is JSON; both are
 * serialised again, so their bytes are the value's JSON.stringify form.
 */
export function toStoredEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): StoredEvent | null {
  const recorded = resolved.event;
  if (!recorded) return null;
  const position = recorded.position ?? (resolved.commitPosition !== undefined ? { commit: resolved.commitPosition, prepare: resolved.commitPosition } : null);
  if (!position) throw new Error(`EventStoreDB sent event ${recorded.id} without a position`);
  return {
    id: recorded.id,
    stream: recorded.streamId,
    revision: recorded.revision,
    position,
    type: recorded.type,
    data: recorded.isJson ? Buffer.from(JSON.stringify(recorded.data), 'utf8') : (recorded.data as Uint8Array),
    metadata: metadataBytes(recorded.metadata),
    contentType: recorded.isJson ? 'application/json' : 'application/octet-stream',
    created: recorded.created,
  };
}

function metadataBytes(metadata: MetadataType | undefined): Uint8Array | null {
  if (metadata === undefined) return null;
  if (metadata instanceof Uint8Array) return metadata;
  return Buffer.from(JSON.stringify(metadata), 'utf8');
}
