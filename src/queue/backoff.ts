export interface BackoffOptions {
  /** @default 1000 */
  baseMs?: number;
  /** @default 300000 (5 min) */
  capMs?: number;
  /** [0, 1); injectable so tests can pin the jitter. */
  random?: () => number;
}

/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(cap, base·2^(attempt-1))].
 * Full jitter spreads a burst of failures (MouseStats down for everyone) instead of retrying
 * them in lockstep. `attempt` is the attempt that just failed, from 1.
 */
export function retryDelayMs(attempt: number, options: BackoffOptions = {}): number {
  const { baseMs = 1000, capMs = 300_000, random = Math.random } = options;
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.floor(random() * ceiling);
}
