import type { Position } from '@arbiter/event-store';

/** The largest 64-bit position: "from the end", or a prepare part that sorts after any other. */
export const LAST_POSITION = 2n ** 64n - 1n;

export function positionFrom(message: { getCommitPosition(): string; getPreparePosition(): string }): Position {
  return { commit: BigInt(message.getCommitPosition()), prepare: BigInt(message.getPreparePosition()) };
}

/** The port reads strictly after a position; EventStoreDB reads forwards from one, inclusive. */
export function justBefore(position: Position): Position | 'start' {
  if (position.commit === 0n) return 'start';
  return { commit: position.commit - 1n, prepare: LAST_POSITION };
}

/** .NET ticks (100 ns) since the Unix epoch: how EventStoreDB sends an event's creation time. */
export function ticks(date: Date): string {
  return (BigInt(date.getTime()) * 10_000n).toString(10);
}
