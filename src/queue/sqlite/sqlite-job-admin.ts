import type Sqlite from "better-sqlite3";
import type { JobSummary, ListJobsOptions } from "../job-queue.ts";


interface JobRow {
  id: number; kind: string; status: string; attempts: number; max_attempts: number;
  payload: string; last_error: string | null; run_at: number; finished_at: number | null;
}

/** Operators' view of the queue (`npm run accounts -- jobs`): what is stuck and why. */
export function listSqliteJobs(sqlite: Sqlite.Database, options: ListJobsOptions = {}): JobSummary[] {
  const where = options.failed ? "where status = 'failed' or (status = 'pending' and last_error is not null)" : "";
  const rows = sqlite.prepare(
    `select id, kind, status, attempts, max_attempts, payload, last_error, run_at, finished_at from jobs ${where} order by id desc limit ?`,
  ).all(options.limit ?? 50) as JobRow[];
  return rows.map((r) => ({
    id: String(r.id),
    kind: r.kind,
    status: r.status,
    attempts: `${r.attempts}/${r.max_attempts}`,
    subject: subjectOf(r.payload),
    lastError: r.last_error,
    at: new Date(r.finished_at ?? r.run_at).toISOString(),
  }));
}

export function subjectOf(payload: string): string | null {
  try {
    const p = JSON.parse(payload) as { email?: unknown; shop?: unknown } | null;
    const subject = [p?.email, p?.shop].filter((v): v is string => typeof v === "string");
    return subject.length > 0 ? subject.join(" ") : null;
  } catch {
    return null;
  }
}
