import type { AppDatabase } from "../db/app-database.ts";

export type RateLimitDecision = { ok: true } | { ok: false; retryAfterS: number };

/** A fixed-window limit per key (e.g. 10 login links a minute per account). */
export interface RateLimiter {
  take(key: string): Promise<RateLimitDecision>;
}

export interface RateLimiterOptions {
  limit: number;
  windowMs: number;
  now?: () => number;
}

/**
 * The limit kept in the database (`rate_limits`), so that it holds across every instance of the
 * app on one PostgreSQL: one atomic upsert per take, the window starting at a key's first take.
 */
export function createDatabaseRateLimiter(database: AppDatabase, options: RateLimiterOptions): RateLimiter {
  const { limit, windowMs, now = Date.now } = options;
  const take = database.statement<{ window_started_at: number; count: number }>(`insert into rate_limits (key, window_started_at, count)
      values (@key, @now, 1)
    on conflict (key) do update set
      window_started_at = case when rate_limits.window_started_at <= @expiredBefore then excluded.window_started_at else rate_limits.window_started_at end,
      count = case when rate_limits.window_started_at <= @expiredBefore then 1 else rate_limits.count + 1 end
    returning window_started_at, count`);
  return {
    async take(key) {
      const t = now();
      const row = (await take.get({ key, now: t, expiredBefore: t - windowMs }))!;
      if (Number(row.count) <= limit) return { ok: true };
      return { ok: false, retryAfterS: Math.max(1, Math.ceil((Number(row.window_started_at) + windowMs - t) / 1000)) };
    },
  };
}

/** The same limit in this process's memory: where this process is the only instance (SQLite). */
export function createMemoryRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { limit, windowMs, now = Date.now } = options;
  const windows = new Map<string, { startMs: number; count: number }>();
  return {
    async take(key) {
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
