const DELAY_SECONDS_PATTERN = /^\d+$/;

/**
 * Reads a `Retry-After` header (RFC 9110 §10.2.3): either delay-seconds or an HTTP date.
 * Returns the wait in milliseconds (0 for a date in the past), or undefined when the header
 * is absent or unreadable.
 * @param nowMs current time, for the HTTP-date form
 */
export function parseRetryAfterMs(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (value === "") return undefined;
  if (DELAY_SECONDS_PATTERN.test(value)) return Number(value) * 1000;
  // Date.parse also accepts "12" or "2024-01-01"; only take strings shaped like an HTTP date.
  if (!/[a-z]/i.test(value)) return undefined;
  const atMs = Date.parse(value);
  if (Number.isNaN(atMs)) return undefined;
  return Math.max(0, atMs - nowMs);
}
