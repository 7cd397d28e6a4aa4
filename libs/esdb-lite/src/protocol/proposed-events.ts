import type { ContentType, NewEvent } from '@arbiter/event-store';
import type { UUID } from '@eventstore/db-client/generated/shared_pb';
import { uuidToString } from './identifiers';

/** Append's and BatchAppend's proposed messages have the same fields under different classes. */
interface ProposedMessage {
  getId(): UUID | undefined;
  getMetadataMap(): { get(key: string): string | undefined };
  getData_asU8(): Uint8Array;
  getCustomMetadata_asU8(): Uint8Array;
}

export function toNewEvent(message: ProposedMessage): NewEvent {
  const metadata = message.getMetadataMap();
  const type = metadata.get('type');
  if (!type) throw new TypeError('every proposed event needs a "type"');
  const custom = message.getCustomMetadata_asU8();
  return {
    id: uuidToString(message.getId()),
    type,
    data: message.getData_asU8(),
    metadata: custom.length > 0 ? custom : undefined,
    contentType: contentType(metadata.get('content-type')),
  };
}

/** EventStoreDB keeps only whether an event is JSON; anything else is binary. */
function contentType(value: string | undefined): ContentType {
  return value === 'application/json' ? 'application/json' : 'application/octet-stream';
}
