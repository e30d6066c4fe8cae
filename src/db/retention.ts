import type { AppDatabase } from "./app-database.ts";

export interface RetentionOptions {
  /** Succeeded jobs are kept this long for support (SQLite's queue; graphile-worker deletes them at once). @default 14 days */
  succeededJobsMs?: number;
  /**
   * Inbox rows (and the bodies kept for replay) are kept this long to recognise late duplicates
   * (Shopify stops retrying a delivery after 4 hours) and to let the operator replay one.
   * Unprocessable deliveries stay until a replay clears them. @default 30 days
   */
  webhookEventsMs?: number;
}

const DAY_MS = 86_400_000;

/** Deletes what no longer serves a purpose, so the tables do not grow without end. */
export function createRetention(database: AppDatabase) {
  const jobs = database.dialect === "sqlite" ? database.statement("delete from jobs where status = 'succeeded' and finished_at < @before") : undefined;
  const events = database.statement("delete from webhook_events where received_at < @before and unprocessable_reason is null");
  const limits = database.statement("delete from rate_limits where window_started_at < @before");
  return {
    async prune(nowMs: number, options: RetentionOptions = {}): Promise<{ jobs: number; webhookEvents: number }> {
      const prunedJobs = (await jobs?.run({ before: nowMs - (options.succeededJobsMs ?? 14 * DAY_MS) })) ?? 0;
      const webhookEvents = await events.run({ before: nowMs - (options.webhookEventsMs ?? 30 * DAY_MS) });
      await limits.run({ before: nowMs - DAY_MS });
      return { jobs: prunedJobs, webhookEvents };
    },
  };
}
