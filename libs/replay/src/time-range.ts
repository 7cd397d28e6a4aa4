import { ReplayError } from './errors';

/** A half-open window of time, [from, to), in epoch milliseconds; either end may be open. */
export interface TimeRange {
  from?: number;
  to?: number;
}

/** Parses an ISO 8601 time (or anything Date.parse reads) given on the command line. */
export function parseTime(text: string, name: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new ReplayError('bad-time', `${name} is not a time: "${text}" (use ISO 8601, e.g. 2026-06-01T12:00:00Z)`);
  return ms;
}

export function timeRangeOf(from: string | undefined, to: string | undefined): TimeRange {
  const range: TimeRange = {};
  if (from !== undefined) range.from = parseTime(from, '--from');
  if (to !== undefined) range.to = parseTime(to, '--to');
  if (range.from !== undefined && range.to !== undefined && range.from >= range.to) throw new ReplayError('bad-time', '--from must be before --to');
  return range;
}

export function withinRange(range: TimeRange, isoTime: string): boolean {
  if (range.from === undefined && range.to === undefined) return true;
  const at = Date.parse(isoTime);
  return (range.from === undefined || at >= range.from) && (range.to === undefined || at < range.to);
}

/** The range as text, for reports and the sandbox's parameters. */
export function describeRange(range: TimeRange): { from: string | null; to: string | null } {
  return { from: range.from === undefined ? null : new Date(range.from).toISOString(), to: range.to === undefined ? null : new Date(range.to).toISOString() };
}
