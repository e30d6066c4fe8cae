import { randomUUID } from "node:crypto";
import type { Logger } from "../../logger.ts";
import type { AttemptOutcome, JobDefinitions, JobRunner, StopResult } from "../job-handler.ts";
import type { PayloadMap } from "../job-queue.ts";
import { notifyFailed, runAttempt } from "../run-attempt.ts";
import type { Job, SqliteJobs } from "./sqlite-jobs.ts";

export interface SqliteWorkerOptions<P extends PayloadMap> {
  jobs: SqliteJobs;
  definitions: JobDefinitions<P>;
  logger: Logger;
  /** Jobs run at once (MouseStats calls in flight). @default 4 */
  concurrency?: number;
  /** How long a claimed job is ours; must outlive the handler (3 MouseStats calls × 10 s). @default 60000 */
  leaseMs?: number;
  /**
   * A job still running this long after its claim is given up (its signal aborted, the attempt
   * failed and retried), so a hung call can never outlive the lease and run twice.
   * @default leaseMs − 5000
   */
  deadlineMs?: number;
  /** Longest sleep between looks at the table when nothing is due. @default 1000 */
  idleWaitMs?: number;
  workerId?: string;
  /** The queue's clock, for the sleep until the next due job. */
  now?: () => number;
  /** After each run of a job: it succeeded, failed and will retry, failed for good, or asked to run later. */
  onAttempt?: (kind: string, outcome: AttemptOutcome) => void;
}

/** SQLite's runner: due jobs with a concurrency limit; wakes at once on `notify()` (call it after enqueueing). */
export function createSqliteWorker<P extends PayloadMap>(options: SqliteWorkerOptions<P>): JobRunner & { workerId: string } {
  const { jobs, definitions, logger, concurrency = 4, leaseMs = 60_000, idleWaitMs = 1000, now = Date.now } = options;
  const onAttempt = options.onAttempt ?? (() => {});
  const deadlineMs = options.deadlineMs ?? leaseMs - 5000;
  if (deadlineMs >= leaseMs) throw new RangeError("the job deadline must come before the lease ends");
  const workerId = options.workerId ?? `worker-${process.pid}-${randomUUID().slice(0, 8)}`;
  const inFlight = new Map<number, { job: Job; done: Promise<void>; abort: AbortController }>();
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  const idleWaiters: Array<() => void> = [];
  let pumpScheduled = false;

  // A macrotask, never a microtask, and one at a time: jobs that finish without I/O (most shop
  // jobs) would otherwise start the next job in the same microtask chain and hold HTTP answers
  // for as long as the backlog lasts (seconds, in the soak).
  function schedulePump(): void {
    if (pumpScheduled) return;
    pumpScheduled = true;
    setImmediate(() => { pumpScheduled = false; pump(); });
  }

  function pump(): void {
    if (timer) { clearTimeout(timer); timer = undefined; }
    // A claim now would join the transaction that holds the connection: next turn.
    if (jobs.connectionBusy) return schedulePump();
    while (running && inFlight.size < concurrency) {
      const job = jobs.claimNext(workerId, leaseMs);
      if (!job) break;
      const abort = new AbortController();
      const done = execute(job, abort.signal).finally(() => { inFlight.delete(job.id); schedulePump(); });
      inFlight.set(job.id, { job, done, abort });
    }
    if (!running) return;
    if (inFlight.size === 0) for (const resolve of idleWaiters.splice(0)) resolve();
    if (inFlight.size < concurrency) {
      const next = jobs.nextDueAtMs();
      const waitMs = next === undefined ? idleWaitMs : Math.min(idleWaitMs, Math.max(0, next - now()));
      timer = setTimeout(pump, waitMs);
      timer.unref();
    }
  }

  async function execute(job: Job, stopSignal: AbortSignal): Promise<void> {
    const info = { id: String(job.id), kind: job.kind, attempts: job.attempts, maxAttempts: job.maxAttempts };
    const { result, ctx, payload } = await runAttempt({ job: info, payload: job.payload, definitions, stopSignal, deadlineMs, logger });
    const log = ctx.logger;
    switch (result.kind) {
      case "released":
        return; // stop() put it back in the queue: it did not fail, and must not look failed
      case "succeeded":
        onAttempt(job.kind, "succeeded");
        if (jobs.complete(job, { redactPayload: result.redactPayload })) log.info("job succeeded");
        else log.warn("job finished after its lease was lost; result kept, row left to its new owner");
        return;
      case "retry-later": {
        const outcome = jobs.fail(job, result.message, { retryAfterMs: result.delayMs });
        onAttempt(job.kind, "deferred");
        log.warn({ retryInMs: result.delayMs, outcome }, "job asked to retry later");
        return;
      }
      case "failed": {
        const outcome = jobs.fail(job, result.message, { permanent: result.permanent });
        onAttempt(job.kind, outcome.status === "pending" ? "retry" : "failed");
        if (outcome.status === "pending") {
          log.warn({ err: result.message, nextRunAt: new Date(outcome.runAtMs).toISOString() }, "job failed; will retry");
        } else {
          log.error({ err: result.message }, "job failed for good");
          await notifyFailed(definitions, job.kind, payload, result.error, ctx);
        }
      }
    }
  }

  return {
    workerId,
    get inFlight(): number { return inFlight.size; },
    async start(): Promise<void> {
      if (running) return;
      running = true;
      pump();
    },
    notify(): void {
      if (running) schedulePump();
    },
    async idle(): Promise<void> {
      if (!running) throw new Error("worker is not running");
      for (;;) {
        if (inFlight.size > 0) await Promise.all([...inFlight.values()].map((f) => f.done));
        const next = jobs.nextDueAtMs();
        if (inFlight.size === 0 && (next === undefined || next > now())) return;
        await new Promise<void>((resolve) => { idleWaiters.push(resolve); pump(); });
      }
    },
    async stop(graceMs = 10_000): Promise<StopResult> {
      running = false;
      if (timer) clearTimeout(timer);
      const pending = [...inFlight.values()];
      let graceTimer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(pending.map((f) => f.done)),
        new Promise<void>((resolve) => { graceTimer = setTimeout(resolve, graceMs); }),
      ]);
      clearTimeout(graceTimer);
      let released = 0;
      for (const f of inFlight.values()) {
        f.abort.abort(new Error("worker stopping"));
        if (jobs.release(f.job)) released++;
      }
      for (const resolve of idleWaiters.splice(0)) resolve();
      return { finished: pending.length - released, released };
    },
  };
}
