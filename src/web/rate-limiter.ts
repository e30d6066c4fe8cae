/**
 * A fixed-window counter per key (e.g. 10 login links a minute per shop). In memory: one app
 * process owns the database, so it owns the limits too.
 */
export function createRateLimiter(options: { limit: number; windowMs: number; now?: () => number }) {
  const { limit, windowMs, now = Date.now } = options;
  const windows = new Map<string, { startMs: number; count: number }>();
  return {
    /** `{ ok: true }`, or `{ ok: false, retryAfterS }` when the key used up its window. */
    take(key: string): { ok: true } | { ok: false; retryAfterS: number } {
      const t = now();
      let w = windows.get(key);
      if (!w || t - w.startMs >= windowMs) {
        if (windows.size > 10_000) for (const [k, v] of windows) if (t - v.startMs >= windowMs) windows.delete(k);
        w = { startMs: t, count: 0 };
        windows.set(key, w);
      }
      if (w.count >= limit) return { ok: false, retryAfterS: Math.max(1, Math.ceil((w.startMs + windowMs - t) / 1000)) };
      w.count++;
      return { ok: true };
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
