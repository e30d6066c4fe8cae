import { randomUUID } from "node:crypto";
import type { Logger } from "../logger.ts";
import { PermanentJobError, RetryLaterError } from "./errors.ts";
import type { Job, JobQueue } from "./job-queue.ts";

export interface JobContext {
  job: Job;
  /** Aborted at the job's deadline (before its lease ends), or when the worker stops and the grace period ran out. */
  signal: AbortSignal;
  logger: Logger;
}

export interface JobHandler<P = never> {
  /** Must be idempotent and await all its work: a retry runs it again from the start. */
  run(payload: P, ctx: JobContext): Promise<void>;
  /** Called once when the job fails for good (permanent error or attempts used up). */
  onFailed?(payload: P, error: unknown, ctx: JobContext): void | Promise<void>;
  /** Drop the payload once the job succeeded (it carries personal data that must not outlive it). */
  redactPayloadWhenDone?: boolean;
}

export interface WorkerOptions {
  queue: JobQueue;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler types its own payload
  handlers: Record<string, JobHandler<any>>;
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

export type AttemptOutcome = "succeeded" | "retry" | "failed" | "deferred";

export interface StopResult { finished: number; released: number }

/** Runs due jobs with a concurrency limit; wakes at once on `notify()` (call it after enqueueing). */
export function createWorker(options: WorkerOptions) {
  const { queue, handlers, logger, concurrency = 4, leaseMs = 60_000, idleWaitMs = 1000, now = Date.now } = options;
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
    while (running && inFlight.size < concurrency) {
      const job = queue.claimNext(workerId, leaseMs);
      if (!job) break;
      const abort = new AbortController();
      const done = execute(job, abort.signal).finally(() => { inFlight.delete(job.id); schedulePump(); });
      inFlight.set(job.id, { job, done, abort });
    }
    if (!running) return;
    if (inFlight.size === 0) for (const resolve of idleWaiters.splice(0)) resolve();
    if (inFlight.size < concurrency) {
      const next = queue.nextDueAtMs();
      const waitMs = next === undefined ? idleWaitMs : Math.min(idleWaitMs, Math.max(0, next - now()));
      timer = setTimeout(pump, waitMs);
      timer.unref();
    }
  }

  async function execute(job: Job, stopSignal: AbortSignal): Promise<void> {
    const log = logger.child({ jobId: job.id, kind: job.kind, attempt: job.attempts });
    const handler = handlers[job.kind];
    const deadline = AbortSignal.timeout(deadlineMs);
    const signal = AbortSignal.any([stopSignal, deadline]);
    const ctx: JobContext = { job, signal, logger: log };
    try {
      if (!handler) throw new PermanentJobError(`no handler for job kind ${job.kind}`);
      // A handler that ignores its signal still ends here at the deadline; what it started is aborted through the signal.
      await untilAborted(handler.run(job.payload as never, ctx), signal);
      onAttempt(job.kind, "succeeded");
      if (queue.complete(job, { redactPayload: handler.redactPayloadWhenDone })) log.info("job succeeded");
      else log.warn("job finished after its lease was lost; result kept, row left to its new owner");
    } catch (err) {
      // stop() aborted it and put it back in the queue: it did not fail, and must not look failed.
      if (stopSignal.aborted && !running) return;
      const message = deadline.aborted && !stopSignal.aborted ? `the job ran past its deadline of ${deadlineMs} ms` : err instanceof Error ? err.message : String(err);
      if (err instanceof RetryLaterError) {
        const outcome = queue.fail(job, message, { retryAfterMs: err.delayMs });
        onAttempt(job.kind, "deferred");
        log.warn({ retryInMs: err.delayMs, outcome }, "job asked to retry later");
        return;
      }
      const outcome = queue.fail(job, message, { permanent: err instanceof PermanentJobError });
      onAttempt(job.kind, outcome.status === "pending" ? "retry" : "failed");
      if (outcome.status === "pending") {
        log.warn({ err: message, nextRunAt: new Date(outcome.runAtMs).toISOString() }, "job failed; will retry");
      } else {
        log.error({ err: message }, "job failed for good");
        try {
          await handler?.onFailed?.(job.payload as never, err, ctx);
        } catch (hookErr) {
          log.error({ err: hookErr instanceof Error ? hookErr.message : String(hookErr) }, "onFailed hook threw");
        }
      }
    }
  }

  return {
    workerId,
    get inFlight(): number { return inFlight.size; },

    start(): void {
      if (running) return;
      running = true;
      pump();
    },

    /** Wake up now: a job was enqueued. */
    notify(): void {
      if (running) schedulePump();
    },

    /** Resolves when nothing is due and nothing runs (tests, benchmarks). */
    async idle(): Promise<void> {
      if (!running) throw new Error("worker is not running");
      for (;;) {
        if (inFlight.size > 0) await Promise.all([...inFlight.values()].map((f) => f.done));
        const next = queue.nextDueAtMs();
        if (inFlight.size === 0 && (next === undefined || next > now())) return;
        await new Promise<void>((resolve) => { idleWaiters.push(resolve); pump(); });
      }
    },

    /** Stop claiming, let in-flight jobs finish within `graceMs`, then abort and release the rest. */
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
        if (queue.release(f.job)) released++;
      }
      for (const resolve of idleWaiters.splice(0)) resolve();
      return { finished: pending.length - released, released };
    },
  };
}

export type Worker = ReturnType<typeof createWorker>;

/** The work's own outcome, or the signal's reason as soon as it is aborted. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
