import type Sqlite from "better-sqlite3";

export interface RetentionOptions {
  /** Succeeded jobs are kept this long for support. @default 14 days */
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
export function pruneOldRows(sqlite: Sqlite.Database, nowMs: number, options: RetentionOptions = {}): { jobs: number; webhookEvents: number } {
  const jobs = sqlite.prepare("delete from jobs where status = 'succeeded' and finished_at < ?")
    .run(nowMs - (options.succeededJobsMs ?? 14 * DAY_MS)).changes;
  const webhookEvents = sqlite.prepare("delete from webhook_events where received_at < ? and unprocessable_reason is null")
    .run(nowMs - (options.webhookEventsMs ?? 30 * DAY_MS)).changes;
  return { jobs, webhookEvents };
}
