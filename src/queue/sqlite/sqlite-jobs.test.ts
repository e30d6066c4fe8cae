import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../db/test-database.ts";
import { createSqliteJobs, type SqliteJobs } from "./sqlite-jobs.ts";

describe("job queue", () => {
  let database: TestDatabase;
  let queue: SqliteJobs;
  let clock = 1_000_000;
  const row = (id: number) => database.sqlite.prepare("select * from jobs where id = ?").get(id) as Record<string, unknown>;

  beforeEach(() => {
    clock = 1_000_000;
    database = createTestDatabase();
    queue = createSqliteJobs({ sqlite: database.sqlite, now: () => clock, backoff: { random: () => 0.5 } });
  });
  afterEach(() => database.close());

  it("claims due jobs in run-at order and leases them", () => {
    queue.enqueue({ kind: "b", payload: { n: 2 }, runAtMs: clock + 10 });
    queue.enqueue({ kind: "a", payload: { n: 1 } });
    const job = queue.claimNext("w1", 5000);
    expect(job).toMatchObject({ kind: "a", payload: { n: 1 }, attempts: 1, lockedBy: "w1", lockedUntil: clock + 5000 });
    expect(queue.claimNext("w1", 5000)).toBeUndefined();
    clock += 10;
    expect(queue.claimNext("w1", 5000)?.kind).toBe("b");
  });

  it("merges an enqueue into the pending job with the same key", () => {
    expect(queue.enqueue({ kind: "p", payload: {}, idempotencyKey: "k" })).toBe(true);
    expect(queue.enqueue({ kind: "p", payload: {}, idempotencyKey: "k" })).toBe(false);
    expect(database.sqlite.prepare("select count(*) n from jobs").get()).toEqual({ n: 1 });
  });

  it("never runs two jobs with one key at once, but keeps the follow-up", () => {
    queue.enqueue({ kind: "p", payload: {}, idempotencyKey: "k" });
    const first = queue.claimNext("w1", 5000)!;
    expect(queue.enqueue({ kind: "p", payload: {}, idempotencyKey: "k" })).toBe(true);
    expect(queue.claimNext("w2", 5000)).toBeUndefined();
    queue.complete(first);
    expect(queue.claimNext("w2", 5000)?.idempotencyKey).toBe("k");
  });

  it("merges the follow-up into a job that goes back to pending", () => {
    queue.enqueue({ kind: "p", payload: {}, idempotencyKey: "k" });
    const first = queue.claimNext("w1", 5000)!;
    queue.enqueue({ kind: "p", payload: {}, idempotencyKey: "k" });
    expect(queue.fail(first, "boom")).toEqual({ status: "pending", runAtMs: clock + 500 });
    expect(database.sqlite.prepare("select count(*) n from jobs where status = 'pending'").get()).toEqual({ n: 1 });
  });

  it("reclaims a job whose lease expired (compare-and-swap on the lease)", () => {
    queue.enqueue({ kind: "a", payload: null });
    const first = queue.claimNext("w1", 1000)!;
    expect(queue.claimNext("w2", 1000)).toBeUndefined();
    clock += 1001;
    const second = queue.claimNext("w2", 1000)!;
    expect(second).toMatchObject({ id: first.id, attempts: 2, lockedBy: "w2" });
    expect(queue.complete(first)).toBe(false);
    expect(queue.complete(second)).toBe(true);
    expect(row(first.id)).toMatchObject({ status: "succeeded", locked_by: null });
  });

  it("backs off with jitter, then fails after max attempts", () => {
    queue.enqueue({ kind: "a", payload: null, maxAttempts: 3 });
    const outcomes = [];
    for (let i = 0; i < 3; i++) {
      const job = queue.claimNext("w", 1000)!;
      const outcome = queue.fail(job, `error ${i + 1}`);
      outcomes.push(outcome);
      if (outcome.status === "pending") clock = outcome.runAtMs;
    }
    expect(outcomes.map((o) => o.status)).toEqual(["pending", "pending", "failed"]);
    expect(row(1)).toMatchObject({ status: "failed", attempts: 3, last_error: "error 3" });
  });

  it("fails a permanent error at once", () => {
    queue.enqueue({ kind: "a", payload: null });
    expect(queue.fail(queue.claimNext("w", 1000)!, "no", { permanent: true })).toEqual({ status: "failed" });
  });

  it("honours Retry-After without using up an attempt", () => {
    queue.enqueue({ kind: "a", payload: null, maxAttempts: 1 });
    for (let i = 0; i < 5; i++) {
      const job = queue.claimNext("w", 1000)!;
      expect(job.attempts).toBe(1);
      expect(queue.fail(job, "429", { retryAfterMs: 30_000 })).toEqual({ status: "pending", runAtMs: clock + 30_000 });
      expect(queue.claimNext("w", 1000)).toBeUndefined();
      clock += 30_000;
    }
  });

  it("resumes a dead process's running jobs at start-up", () => {
    queue.enqueue({ kind: "a", payload: null });
    queue.claimNext("dead", 60_000);
    expect(queue.recoverAbandoned()).toBe(1);
    expect(queue.claimNext("new", 60_000)).toMatchObject({ lockedBy: "new", attempts: 2 });
  });

  it("claims in near-constant time however large the due backlog", () => {
    const insert = database.sqlite.transaction(() => {
      for (let i = 0; i < 20_000; i++) queue.enqueue({ kind: "a", payload: null, idempotencyKey: i % 2 ? `k${i}` : null });
    });
    insert();
    const started = performance.now();
    for (let i = 0; i < 200; i++) queue.complete(queue.claimNext("w", 60_000)!);
    // Sorting every due row per claim (a temp B-tree over the backlog) took seconds here.
    expect(performance.now() - started).toBeLessThan(500);
  });

  it("reports when the next job is due", () => {
    expect(queue.nextDueAtMs()).toBeUndefined();
    queue.enqueue({ kind: "a", payload: null, runAtMs: clock + 700 });
    expect(queue.nextDueAtMs()).toBe(clock + 700);
  });
});
