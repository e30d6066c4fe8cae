import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as z from "zod";
import { createTestDatabase, type TestDatabase } from "../../db/test-database.ts";
import { createSilentLogger } from "../../logger.ts";
import { PermanentJobError, RetryLaterError } from "../errors.ts";
import type { JobHandler, JobRunner } from "../job-handler.ts";
import { createSqliteJobs, type SqliteJobs } from "./sqlite-jobs.ts";
import { createSqliteWorker, type SqliteWorkerOptions } from "./sqlite-worker.ts";

type Worker = JobRunner;
type TestHandlers = Record<string, JobHandler<never>>;
/** The worker on test kinds whose payloads any schema accepts. */
function createWorker(options: { queue: SqliteJobs; handlers: TestHandlers } & Omit<SqliteWorkerOptions<Record<string, unknown>>, "jobs" | "definitions">) {
  const { queue, handlers, ...rest } = options;
  const schemas = Object.fromEntries(Object.keys(handlers).map((kind) => [kind, z.unknown()]));
  return createSqliteWorker<Record<string, unknown>>({ ...rest, jobs: queue, definitions: { handlers: handlers as never, schemas: schemas as never } });
}

describe("worker", () => {
  let database: TestDatabase;
  let queue: SqliteJobs;
  let worker: Worker | undefined;
  const logger = createSilentLogger();
  const status = (id: number) => (database.sqlite.prepare("select status, attempts from jobs where id = ?").get(id));

  beforeEach(() => {
    database = createTestDatabase();
    queue = createSqliteJobs({ sqlite: database.sqlite, backoff: { baseMs: 1, capMs: 2 } });
  });
  afterEach(async () => {
    await worker?.stop(100);
    database.close();
  });

  it("ends a job at its deadline, before its lease runs out, aborting its signal, and retries it", async () => {
    let signalAborted = false;
    let calls = 0;
    const handler: JobHandler<null> = {
      // The first attempt hangs and ignores its signal; what it started sees the abort.
      run: (_p, { signal }) => {
        calls++;
        if (calls > 1) return Promise.resolve();
        signal.addEventListener("abort", () => { signalAborted = true; });
        return new Promise<void>(() => {});
      },
    };
    // The retry a minute away: full jitter could otherwise draw a delay short enough to rerun it before the check.
    const slowRetry = createSqliteJobs({ sqlite: database.sqlite, backoff: { baseMs: 60_000, capMs: 60_000, random: () => 0.999 } });
    const id = slowRetry.enqueue({ kind: "t", payload: null }) && 1;
    worker = createWorker({ queue: slowRetry, logger, leaseMs: 400, deadlineMs: 150, handlers: { t: handler } });
    worker.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(signalAborted).toBe(true);
    // Failed within its lease (400 ms): back in the queue for a later attempt, never run twice at once.
    expect(database.sqlite.prepare("select status, attempts, last_error from jobs where id = ?").get(id))
      .toEqual({ status: "pending", attempts: 1, last_error: "the job ran past its deadline of 150 ms" });
    expect(calls).toBe(1);
  });

  it("refuses a deadline that is not before the lease's end", () => {
    expect(() => createWorker({ queue, logger, leaseMs: 100, deadlineMs: 100, handlers: {} })).toThrow(RangeError);
  });

  it("wakes on notify without waiting for the idle poll", async () => {
    const ran: number[] = [];
    worker = createWorker({ queue, logger, idleWaitMs: 60_000, handlers: { t: { run: async (p: { n: number }) => { ran.push(p.n); } } } });
    worker.start();
    const started = performance.now();
    queue.enqueue({ kind: "t", payload: { n: 1 } });
    worker.notify();
    await worker.idle();
    expect(ran).toEqual([1]);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("lets I/O and timers run while a backlog of I/O-free jobs drains", async () => {
    for (let i = 0; i < 3000; i++) queue.enqueue({ kind: "t", payload: null });
    let done = 0;
    worker = createWorker({ queue, logger, handlers: { t: { run: async () => { done++; } } } });
    const doneWhenTimerFired = new Promise<number>((resolve) => setTimeout(() => resolve(done), 0));
    worker.start();
    // A microtask chain from one job to the next would finish all 3000 before the timer.
    expect(await doneWhenTimerFired).toBeLessThan(3000);
    await worker.idle();
    expect(done).toBe(3000);
  });

  it("runs at most `concurrency` jobs at once", async () => {
    let now = 0;
    let peak = 0;
    const handler: JobHandler<null> = {
      run: async () => { now++; peak = Math.max(peak, now); await new Promise((r) => setTimeout(r, 5)); now--; },
    };
    for (let i = 0; i < 20; i++) queue.enqueue({ kind: "t", payload: null });
    worker = createWorker({ queue, logger, concurrency: 3, handlers: { t: handler } });
    worker.start();
    await worker.idle();
    expect(peak).toBe(3);
    expect(database.sqlite.prepare("select count(*) n from jobs where status = 'succeeded'").get()).toEqual({ n: 20 });
  });

  it("retries transient errors with backoff, then calls onFailed once", async () => {
    const failures: unknown[] = [];
    queue.enqueue({ kind: "t", payload: null, maxAttempts: 3 });
    worker = createWorker({ queue, logger, handlers: { t: {
      run: async () => { throw new Error("MouseStats 500"); },
      onFailed: (_p, err) => { failures.push(err); },
    } } });
    worker.start();
    await new Promise((r) => setTimeout(r, 100));
    await worker.idle();
    expect(status(1)).toEqual({ status: "failed", attempts: 3 });
    expect(failures).toHaveLength(1);
  });

  it("fails a permanent error at the first attempt", async () => {
    queue.enqueue({ kind: "t", payload: null });
    worker = createWorker({ queue, logger, handlers: { t: { run: async () => { throw new PermanentJobError("denied"); } } } });
    worker.start();
    await worker.idle();
    expect(status(1)).toEqual({ status: "failed", attempts: 1 });
  });

  it("reschedules on RetryLaterError without using an attempt", async () => {
    let calls = 0;
    queue.enqueue({ kind: "t", payload: null, maxAttempts: 1 });
    worker = createWorker({ queue, logger, handlers: { t: { run: async () => { if (++calls < 3) throw new RetryLaterError(5); } } } });
    worker.start();
    await new Promise((r) => setTimeout(r, 100));
    await worker.idle();
    expect(calls).toBe(3);
    expect(status(1)).toEqual({ status: "succeeded", attempts: 1 });
  });

  it("fails jobs of an unknown kind permanently", async () => {
    queue.enqueue({ kind: "nope", payload: null });
    worker = createWorker({ queue, logger, handlers: {} });
    worker.start();
    await worker.idle();
    expect(status(1)).toEqual({ status: "failed", attempts: 1 });
  });

  it("does not record a released job's abort as a failure (no onFailed, row stays pending)", async () => {
    const failures: unknown[] = [];
    queue.enqueue({ kind: "slow", payload: null, maxAttempts: 1 });
    worker = createWorker({ queue, logger, handlers: { slow: {
      run: (_p, ctx) => new Promise<void>((_, reject) => ctx.signal.addEventListener("abort", () => setTimeout(() => reject(new Error("aborted")), 1))),
      onFailed: (_p, err) => { failures.push(err); },
    } } });
    worker.start();
    await new Promise((r) => setTimeout(r, 5));
    expect(await worker.stop(20)).toEqual({ finished: 0, released: 1 });
    worker = undefined;
    await new Promise((r) => setTimeout(r, 20));
    expect(failures).toEqual([]);
    expect(status(1)).toEqual({ status: "pending", attempts: 0 });
  });

  it("stops gracefully: finishes quick jobs, aborts and releases slow ones", async () => {
    const aborted: string[] = [];
    queue.enqueue({ kind: "quick", payload: null });
    queue.enqueue({ kind: "slow", payload: null });
    worker = createWorker({ queue, logger, handlers: {
      quick: { run: async () => { await new Promise((r) => setTimeout(r, 20)); } },
      slow: { run: (_p, ctx) => new Promise<void>((_, reject) => ctx.signal.addEventListener("abort", () => { aborted.push("slow"); reject(new Error("aborted")); })) },
    } });
    worker.start();
    await new Promise((r) => setTimeout(r, 5));
    const result = await worker.stop(200);
    worker = undefined;
    expect(result).toEqual({ finished: 1, released: 1 });
    expect(aborted).toEqual(["slow"]);
    expect(status(1)).toEqual({ status: "succeeded", attempts: 1 });
    expect(status(2)).toEqual({ status: "pending", attempts: 0 });
  });
});
