import type { Db } from "../../db/app-database.ts";
import type { PostgresAppDatabase } from "../../db/postgres/postgres-database.ts";
import type { EnqueueOptions, JobKind, JobQueue, JobSummary, PayloadMap, QueueStats } from "../job-queue.ts";
import { subjectOf } from "../sqlite/sqlite-job-admin.ts";

/**
 * graphile-worker's public `jobs` view leaves payloads out; the operator's listing and redaction
 * read them (read only) from its table. Every change still goes through its SQL functions.
 */
const PAYLOADS = "graphile_worker._private_jobs";

/** Attempts per job unless the caller says otherwise, as SQLite's queue. */
export const DEFAULT_MAX_ATTEMPTS = 12;

/**
 * The seam over graphile-worker on PostgreSQL. A job is added with `graphile_worker.add_job`,
 * in the caller's transaction when it gives one. A keyed job gets the key as its `job_key`
 * (a later enqueue merges into the waiting one, keeping its run time) and as its queue name
 * (graphile-worker runs one job of a named queue at a time, on any instance).
 */
export function createGraphileJobQueue<P extends PayloadMap>(database: PostgresAppDatabase): JobQueue<P> {
  return {
    async enqueue<K extends JobKind<P>>(kind: K, payload: P[K], options: EnqueueOptions = {}) {
      return addJob(database, kind, payload, options, options.tx);
    },
    async stats(): Promise<QueueStats> {
      const { rows } = await database.pool.query<{ kind: string; status: "pending" | "running" | "failed"; n: number }>(`select task_identifier as kind,
          case when locked_at is not null then 'running' when attempts >= max_attempts then 'failed' else 'pending' end as status,
          count(*)::int as n
        from graphile_worker.jobs group by 1, 2`);
      const oldest = await database.pool.query<{ s: number | null }>(`select extract(epoch from now() - min(run_at))::float8 as s
        from graphile_worker.jobs where locked_at is null and attempts < max_attempts and run_at <= now()`);
      return { jobs: rows.map((r) => ({ kind: r.kind, status: r.status, count: r.n })), oldestDueAgeS: Math.max(0, oldest.rows[0]?.s ?? 0) };
    },
    async list(options = {}): Promise<JobSummary[]> {
      const where = options.failed ? "where last_error is not null" : "";
      const { rows } = await database.pool.query<{ id: number; kind: string; locked_at: Date | null; attempts: number; max_attempts: number; payload: unknown; last_error: string | null; run_at: Date }>(
        `select j.id, j.task_identifier as kind, j.locked_at, j.attempts, j.max_attempts, p.payload, j.last_error, j.run_at
          from graphile_worker.jobs j join ${PAYLOADS} p on p.id = j.id ${where.replace("where", "where j.")} order by j.id desc limit $1`,
        [options.limit ?? 50]);
      return rows.map((r) => ({
        id: String(r.id), kind: r.kind, status: r.locked_at ? "running" : r.attempts >= r.max_attempts ? "failed" : "pending",
        attempts: `${r.attempts}/${r.max_attempts}`, subject: subjectOf(JSON.stringify(r.payload)), lastError: r.last_error, at: r.run_at.toISOString(),
      }));
    },
    async forgetFinished(subject, tx) {
      // Succeeded jobs are gone already (graphile-worker deletes them); failed ones are removed.
      const field = subject.email ? "email" : "shop";
      const value = subject.email ?? subject.shop;
      if (!value) return 0;
      const { rows } = await database.queryable(tx).query<{ n: number }>(`select count(*)::int as n from graphile_worker.complete_jobs(array(
          select id from ${PAYLOADS} where locked_at is null and attempts >= max_attempts and payload ->> '${field}' = $1))`, [value]);
      return rows[0]?.n ?? 0;
    },
  };
}

/** `add_job` on the transaction's connection; true when a new job was made (false: merged into a waiting one). */
export async function addJob(database: PostgresAppDatabase, kind: string, payload: unknown, options: Omit<EnqueueOptions, "tx">, tx?: Db): Promise<boolean> {
  const key = options.idempotencyKey ?? null;
  const { rows } = await database.queryable(tx).query<{ revision: number }>(`select (graphile_worker.add_job($1, $2::json,
      queue_name => $3, run_at => $4, max_attempts => $5, job_key => $3, job_key_mode => 'preserve_run_at')).revision`,
    [kind, JSON.stringify(payload ?? null), key, options.runAtMs === undefined ? null : new Date(options.runAtMs), options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS]);
  return rows[0]?.revision === 0;
}
