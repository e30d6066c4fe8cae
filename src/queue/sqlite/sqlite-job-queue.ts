import type Sqlite from "better-sqlite3";
import type { EnqueueOptions, JobKind, JobQueue, PayloadMap, QueueStats } from "../job-queue.ts";
import { listSqliteJobs } from "./sqlite-job-admin.ts";
import type { SqliteJobs } from "./sqlite-jobs.ts";

/**
 * The seam over SQLite's own queue. Enqueueing is synchronous underneath: inside a transaction
 * the job is written on the same connection, so `tx` needs no handling of its own.
 */
export function createSqliteJobQueue<P extends PayloadMap>(sqlite: Sqlite.Database, jobs: SqliteJobs, now: () => number = Date.now): JobQueue<P> {
  const byKindAndStatus = sqlite.prepare(`select kind, status, count(*) as n from jobs
    where status in ('pending', 'running', 'failed') group by kind, status`);
  const oldestDue = sqlite.prepare("select min(run_at) as at from jobs where status = 'pending' and run_at <= ?");
  const forgetByEmail = sqlite.prepare("delete from jobs where status in ('succeeded', 'failed') and json_extract(payload, '$.email') = ?");
  const forgetByShop = sqlite.prepare("delete from jobs where status in ('succeeded', 'failed') and json_extract(payload, '$.shop') = ?");
  return {
    async enqueue<K extends JobKind<P>>(kind: K, payload: P[K], options: EnqueueOptions = {}) {
      return jobs.enqueue({ kind, payload, idempotencyKey: options.idempotencyKey, runAtMs: options.runAtMs, maxAttempts: options.maxAttempts });
    },
    async stats(): Promise<QueueStats> {
      const t = now();
      const rows = byKindAndStatus.all() as Array<{ kind: string; status: "pending" | "running" | "failed"; n: number }>;
      const at = (oldestDue.get(t) as { at: number | null }).at;
      return { jobs: rows.map((r) => ({ kind: r.kind, status: r.status, count: r.n })), oldestDueAgeS: at === null ? 0 : Math.max(0, (t - at) / 1000) };
    },
    async list(options) {
      return listSqliteJobs(sqlite, options);
    },
    async forgetFinished(subject) {
      let n = 0;
      if (subject.email) n += forgetByEmail.run(subject.email).changes;
      if (subject.shop) n += forgetByShop.run(subject.shop).changes;
      return n;
    },
  };
}
