import { StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';

/** Event ids travel as text or as two signed 64-bit halves; the port keeps them as text. */
export function uuidToString(uuid: UUID | undefined): string {
  if (!uuid) throw new TypeError('an event id is required');
  if (!uuid.hasStructured()) return uuid.getString().toLowerCase();
  const s = uuid.getStructured()!;
  const hex = [s.getMostSignificantBits(), s.getLeastSignificantBits()]
    .map((half) => BigInt.asUintN(64, BigInt(half)).toString(16).padStart(16, '0'))
    .join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export type UuidFormat = 'string' | 'structured';

export function uuidFromString(id: string, format: UuidFormat): UUID {
  const uuid = new UUID();
  if (format === 'string') return uuid.setString(id);
  const hex = id.replace(/-/g, '');
  const half = (part: string) => BigInt.asIntN(64, BigInt(`0x${part}`)).toString(10);
  return uuid.setStructured(new UUID.Structured().setMostSignificantBits(half(hex.slice(0, 16))).setLeastSignificantBits(half(hex.slice(16))));
}

export function streamName(identifier: StreamIdentifier | undefined): string {
  if (!identifier) throw new TypeError('a stream name is required');
  return Buffer.from(identifier.getStreamName_asU8()).toString('utf8');
}

export function streamIdentifier(name: string): StreamIdentifier {
  return new StreamIdentifier().setStreamName(Buffer.from(name, 'utf8'));
}
