import type Sqlite from "better-sqlite3";
import { retryDelayMs, type BackoffOptions } from "../backoff.ts";

export interface Job {
  id: number;
  kind: string;
  payload: unknown;
  idempotencyKey: string | null;
  attempts: number;
  maxAttempts: number;
  lockedBy: string;
  lockedUntil: number;
}

export interface EnqueueInput {
  kind: string;
  payload: unknown;
  /** Jobs with one key are interchangeable: a pending one absorbs later enqueues. */
  idempotencyKey?: string | null;
  runAtMs?: number;
  maxAttempts?: number;
}

export interface SqliteJobsOptions {
  sqlite: Sqlite.Database;
  now?: () => number;
  /** @default 12 */
  defaultMaxAttempts?: number;
  backoff?: BackoffOptions;
}

export type FailOutcome = { status: "pending"; runAtMs: number } | { status: "failed" };

interface JobRow {
  id: number; kind: string; payload: string; idempotency_key: string | null;
  attempts: number; max_attempts: number; locked_by: string; locked_until: number;
}

/**
 * SQLite's durable job queue on the `jobs` table, synchronous (the domain reaches it through
 * `createSqliteJobQueue`, the worker directly). Statements are raw SQL on purpose: claiming is one
 * `UPDATE … RETURNING` whose WHERE repeats the due/expired condition (the compare-and-swap),
 * which drizzle's builder cannot express; every call is synchronous and short.
 */
export function createSqliteJobs(options: SqliteJobsOptions) {
  const { sqlite, now = Date.now, defaultMaxAttempts = 12 } = options;
  const due = `(status = 'pending' and run_at <= @now) or (status = 'running' and locked_until < @now)`;
  const insert = sqlite.prepare(`insert into jobs (kind, payload, idempotency_key, status, run_at, attempts, max_attempts, created_at)
    values (@kind, @payload, @key, 'pending', @runAt, 0, @maxAttempts, @now) on conflict do nothing`);
  // A keyed job waits while another job with its key runs (one provisioning per email at a time).
  const free = `(j.idempotency_key is null or not exists (select 1 from jobs r where r.idempotency_key = j.idempotency_key
    and r.id != j.id and r.status = 'running' and r.locked_until >= @now))`;
  // Two ordered walks of the (status, run_at) index that stop at their first row: one `where`
  // with an OR made SQLite collect and sort every due row per claim, which a backlog after a
  // restart turned into seconds of CPU per second.
  const claim = sqlite.prepare(`update jobs set status = 'running', attempts = attempts + 1, locked_by = @worker,
      locked_until = @now + @leaseMs
    where id = (select id from (
        select * from (select j.id, j.run_at from jobs j where j.status = 'pending' and j.run_at <= @now and ${free}
          order by j.run_at, j.id limit 1)
        union all
        select * from (select j.id, j.run_at from jobs j where j.status = 'running' and j.locked_until < @now and ${free}
          order by j.run_at, j.id limit 1)
      ) order by run_at, id limit 1)
      and (${due})
    returning id, kind, payload, idempotency_key, attempts, max_attempts, locked_by, locked_until`);
  const succeed = sqlite.prepare(`update jobs set status = 'succeeded', finished_at = @now, locked_by = null, locked_until = null, last_error = null,
      payload = case when @redact then 'null' else payload end
    where id = @id and locked_by = @worker and status = 'running'`);
  const dropPendingTwin = sqlite.prepare(`delete from jobs where status = 'pending' and idempotency_key = @key and id != @id`);
  const reschedule = sqlite.prepare(`update jobs set status = 'pending', run_at = @runAt, attempts = attempts - @refund,
      locked_by = null, locked_until = null, last_error = @error
    where id = @id and locked_by = @worker and status = 'running'`);
  const failFinal = sqlite.prepare(`update jobs set status = 'failed', finished_at = @now, locked_by = null, locked_until = null, last_error = @error
    where id = @id and locked_by = @worker and status = 'running'`);
  const nextDue = sqlite.prepare(`select min(case when status = 'pending' then run_at else locked_until + 1 end) as at
    from jobs where status in ('pending', 'running')`);
  const runningRows = sqlite.prepare(`select id, idempotency_key, locked_by from jobs where status = 'running'`);

  /** Puts a running job back to pending; a pending twin (same key) is merged into it. */
  const putBack = sqlite.transaction((job: { id: number; idempotencyKey: string | null; lockedBy: string },
    runAt: number, refund: 0 | 1, error: string | null) => {
    if (job.idempotencyKey) dropPendingTwin.run({ key: job.idempotencyKey, id: job.id });
    return reschedule.run({ id: job.id, worker: job.lockedBy, runAt, refund, error }).changes === 1;
  });

  return {
    /**
     * True while an asynchronous transaction holds the connection (db/sqlite-database.ts): a
     * statement now would join it, so the worker waits for the next turn.
     */
    get connectionBusy(): boolean {
      return sqlite.inTransaction;
    },

    /** Adds a job; returns false when a pending job with the same key already covers it. Safe inside a transaction. */
    enqueue(input: EnqueueInput): boolean {
      const t = now();
      return insert.run({
        kind: input.kind, payload: JSON.stringify(input.payload ?? null), key: input.idempotencyKey ?? null,
        runAt: input.runAtMs ?? t, maxAttempts: input.maxAttempts ?? defaultMaxAttempts, now: t,
      }).changes === 1;
    },

    /** Claims the next due job (or one whose lease expired) for `worker`, or undefined. */
    claimNext(worker: string, leaseMs: number): Job | undefined {
      const row = claim.get({ worker, leaseMs, now: now() }) as JobRow | undefined;
      return row && {
        id: row.id, kind: row.kind, payload: JSON.parse(row.payload) as unknown, idempotencyKey: row.idempotency_key,
        attempts: row.attempts, maxAttempts: row.max_attempts, lockedBy: row.locked_by, lockedUntil: row.locked_until,
      };
    },

    /**
     * Marks the job done; false when this worker no longer holds it (lease lost). `redactPayload`
     * drops the payload (personal data a compliance job was given).
     */
    complete(job: Job, options: { redactPayload?: boolean } = {}): boolean {
      return succeed.run({ id: job.id, worker: job.lockedBy, now: now(), redact: options.redactPayload ? 1 : 0 }).changes === 1;
    },

    /** Records a failed attempt: retried with backoff until max attempts, or failed at once when permanent. */
    fail(job: Job, error: string, opts: { permanent?: boolean; retryAfterMs?: number } = {}): FailOutcome {
      const t = now();
      if (opts.retryAfterMs !== undefined && !opts.permanent) {
        const runAtMs = t + opts.retryAfterMs;
        putBack(job, runAtMs, 1, error);
        return { status: "pending", runAtMs };
      }
      if (opts.permanent || job.attempts >= job.maxAttempts) {
        failFinal.run({ id: job.id, worker: job.lockedBy, now: t, error });
        return { status: "failed" };
      }
      const runAtMs = t + retryDelayMs(job.attempts, options.backoff);
      putBack(job, runAtMs, 0, error);
      return { status: "pending", runAtMs };
    },

    /** Gives an unfinished job back (graceful stop) without using up its attempt. */
    release(job: Job): boolean {
      return putBack(job, now(), 1, null);
    },

    /**
     * At start-up every `running` row belongs to a process that died (one app process owns the
     * database): make them due now. Returns how many were resumed.
     */
    recoverAbandoned(): number {
      const rows = runningRows.all() as { id: number; idempotency_key: string | null; locked_by: string }[];
      let resumed = 0;
      for (const r of rows) if (putBack({ id: r.id, idempotencyKey: r.idempotency_key, lockedBy: r.locked_by }, now(), 0, "resumed after restart")) resumed++;
      return resumed;
    },

    /** When the next job becomes due (ms epoch), or undefined when there is none. */
    nextDueAtMs(): number | undefined {
      const row = nextDue.get() as { at: number | null };
      return row.at ?? undefined;
    },
  };
}

export type SqliteJobs = ReturnType<typeof createSqliteJobs>;
