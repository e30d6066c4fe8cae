import { EventEmitter } from "node:events";
import { Logger as GraphileLogger, run, type Job as GraphileJob, type JobHelpers, type Runner, type TaskList } from "graphile-worker";
import type { PostgresAppDatabase } from "../../db/postgres/postgres-database.ts";
import type { Logger } from "../../logger.ts";
import { retryDelayMs, type BackoffOptions } from "../backoff.ts";
import type { AttemptOutcome, JobDefinitions, JobRunner, StopResult } from "../job-handler.ts";
import type { PayloadMap } from "../job-queue.ts";
import { notifyFailed, runAttempt, type AttemptResult } from "../run-attempt.ts";
import { watchInstances, type InstanceWatch } from "./instance-presence.ts";

export interface GraphileRunnerOptions<P extends PayloadMap> {
  database: PostgresAppDatabase;
  definitions: JobDefinitions<P>;
  logger: Logger;
  /** Jobs this instance runs at once. @default 4 */
  concurrency?: number;
  /** A job still running this long is given up (its signal aborted) and retried. @default 55000 */
  deadlineMs?: number;
  backoff?: BackoffOptions;
  /** How often a waiting worker looks for due jobs besides LISTEN/NOTIFY (jobs that became due). @default 1000 */
  pollIntervalMs?: number;
  onAttempt?: (kind: string, outcome: AttemptOutcome) => void;
}

/**
 * graphile-worker's runner on the app's pool, with the app's job semantics on top: each
 * attempt runs through `runAttempt` (payload schema, deadline), and its outcome is written back
 * with graphile-worker's own SQL functions before the task returns: a retry is the job added
 * again (same key and queue) at the app's backoff with its attempts and error kept; a failure
 * for good is kept as a permanently failed job; a job given back on stop, or asked to run later
 * (Retry-After), keeps its attempt. The task then returns, so graphile-worker deletes the
 * attempt that ran and frees its queue: two jobs of one key never run at once.
 *
 * A killed instance cannot unlock its jobs (graphile-worker would wait 4 hours): every instance
 * watches the others' presence in PostgreSQL and unlocks the jobs of one that is gone
 * (`instance-presence.ts`).
 */
export function createGraphileRunner<P extends PayloadMap>(options: GraphileRunnerOptions<P>): JobRunner {
  const { database, definitions, logger, concurrency = 4, deadlineMs = 55_000 } = options;
  const onAttempt = options.onAttempt ?? (() => {});
  const stopping = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  let runner: Runner | undefined;
  let presence: InstanceWatch | undefined;
  let poolId: string | undefined;
  let released = 0;

  const taskList: TaskList = Object.fromEntries(Object.keys(definitions.handlers).map((kind) => [kind, (payload: unknown, helpers: JobHelpers) => {
    const done = attempt(helpers.job, payload, helpers.abortSignal);
    inFlight.add(done);
    return done.finally(() => inFlight.delete(done));
  }]));

  async function attempt(job: GraphileJob, payload: unknown, graphileSignal: AbortSignal | undefined): Promise<void> {
    const info = { id: String(job.id), kind: job.task_identifier, attempts: job.attempts, maxAttempts: job.max_attempts };
    const stopSignal = graphileSignal ? AbortSignal.any([stopping.signal, graphileSignal]) : stopping.signal;
    const { result, ctx, payload: checked } = await runAttempt({ job: info, payload, definitions, stopSignal, deadlineMs, logger });
    await settle(job, payload, result);
    const log = ctx.logger;
    switch (result.kind) {
      case "succeeded": onAttempt(job.task_identifier, "succeeded"); log.info("job succeeded"); return;
      case "released": released++; return;
      case "retry-later": onAttempt(job.task_identifier, "deferred"); log.warn({ retryInMs: result.delayMs }, "job asked to retry later"); return;
      case "failed":
        if (!result.permanent && job.attempts < job.max_attempts) {
          onAttempt(job.task_identifier, "retry");
          log.warn({ err: result.message }, "job failed; will retry");
          return;
        }
        onAttempt(job.task_identifier, "failed");
        log.error({ err: result.message }, "job failed for good");
        await notifyFailed(definitions, job.task_identifier, checked, result.error, ctx);
    }
  }

  /** Writes the attempt's outcome back: what is to run again is added anew (the running attempt is then deleted). */
  async function settle(job: GraphileJob, payload: unknown, result: AttemptResult): Promise<void> {
    if (result.kind === "succeeded") return;
    const again = (runAtMs: number, attempts: number, error: string | null) => database.transaction(async (tx) => {
      const client = database.queryable(tx);
      const { rows: [queue] } = await client.query<{ queue_name: string | null }>("select queue_name from graphile_worker.jobs where id = $1", [job.id]);
      const key = job.key ?? queue?.queue_name ?? null;
      const { rows: [added] } = await client.query<{ id: string }>(`select (graphile_worker.add_job($1, $2::json, queue_name => $3,
          max_attempts => $4, job_key => $3, job_key_mode => 'replace')).id`, [job.task_identifier, JSON.stringify(payload), key, job.max_attempts]);
      if (error !== null) await client.query("select graphile_worker.permanently_fail_jobs(array[$1::bigint], $2)", [added!.id, error]);
      await client.query("select graphile_worker.reschedule_jobs(array[$1::bigint], run_at => $2, attempts => $3)", [added!.id, new Date(runAtMs), attempts]);
    });
    switch (result.kind) {
      case "released": return again(Date.now(), Math.max(0, job.attempts - 1), null);
      case "retry-later": return again(Date.now() + result.delayMs, Math.max(0, job.attempts - 1), result.message);
      case "failed":
        if (!result.permanent && job.attempts < job.max_attempts) {
          return again(Date.now() + retryDelayMs(job.attempts, options.backoff), job.attempts, result.message);
        }
        // Kept for the operator, without its key: a follow-up enqueued meanwhile still runs.
        await database.transaction(async (tx) => {
          const client = database.queryable(tx);
          const { rows: [kept] } = await client.query<{ id: string }>("select (graphile_worker.add_job($1, $2::json, max_attempts => $3)).id",
            [job.task_identifier, JSON.stringify(payload), job.max_attempts]);
          await client.query("select graphile_worker.permanently_fail_jobs(array[$1::bigint], $2)", [kept!.id, result.message]);
        });
    }
  }

  return {
    get inFlight() { return inFlight.size; },
    async start() {
      const events = new EventEmitter();
      events.on("pool:create", ({ workerPool }: { workerPool: { id: string } }) => { poolId = workerPool.id; });
      presence = await watchInstances({ database, logger, ownPoolId: () => poolId, onLost: () => stopping.abort(new Error("lost the database connection")) });
      runner = await run({
        pgPool: database.pool, concurrency, taskList, noHandleSignals: true, pollInterval: options.pollIntervalMs ?? 1000,
        logger: graphileLogger(logger), events,
        // Our own stop gives jobs back first; graphile-worker's abort comes only after it.
        gracefulShutdownAbortTimeout: 60_000,
      } as Parameters<typeof run>[0]);
      if (poolId) await presence.announce(poolId);
    },
    notify() {},
    async idle() {
      for (;;) {
        const { rows } = await database.pool.query<{ n: number }>(`select count(*)::int as n from graphile_worker.jobs
          where locked_at is not null or (attempts < max_attempts and run_at <= now())`);
        if ((rows[0]?.n ?? 0) === 0 && inFlight.size === 0) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop(graceMs = 10_000): Promise<StopResult> {
      if (!runner) return { finished: 0, released: 0 };
      const running = inFlight.size;
      const graceful = runner.stop();
      const timer = setTimeout(() => stopping.abort(new Error("worker stopping")), graceMs);
      await graceful.catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, "graphile-worker stopped with an error"));
      clearTimeout(timer);
      await presence?.stop();
      return { finished: running - released, released };
    },
  };
}

/** graphile-worker's log lines through the app's logger; its routine lines at debug. */
function graphileLogger(logger: Logger): GraphileLogger {
  const log = logger.child({ scope: "graphile-worker" });
  return new GraphileLogger(() => (level, message) => {
    if (level === "error") log.error(message);
    else if (level === "warning") log.warn(message);
    else log.debug(message);
  });
}
