/** How long to wait before attempt `attempt + 1`: the server's Retry-After when it gives one, else exponential with jitter. */
export function backoffMs(attempt: number, options: { baseMs: number; maxMs: number; retryAfterMs?: number | null; random?: () => number }): number {
  if (options.retryAfterMs != null && options.retryAfterMs >= 0) return Math.min(options.maxMs, options.retryAfterMs);
  const exponential = options.baseMs * 2 ** (attempt - 1);
  const jitter = 0.5 + (options.random ?? Math.random)() / 2;
  return Math.min(options.maxMs, Math.round(exponential * jitter));
}

/** Retry-After as milliseconds: `retry-after-ms`, or `retry-after` in seconds or as an HTTP date. */
export function retryAfterMs(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | null {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Number(ms);
  const after = headers?.get('retry-after');
  if (!after) return null;
  if (Number.isFinite(Number(after))) return Number(after) * 1000;
  const date = Date.parse(after);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
