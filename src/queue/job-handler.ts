import type { Logger } from "../logger.ts";
import type { JobInfo, JobKind, PayloadMap, PayloadSchemas } from "./job-queue.ts";

export interface JobContext {
  job: JobInfo;
  /** Aborted at the job's deadline, or when the worker stops and the grace period ran out. */
  signal: AbortSignal;
  logger: Logger;
}

export interface JobHandler<Payload> {
  /** Must be idempotent and await all its work: a retry runs it again from the start. */
  run(payload: Payload, ctx: JobContext): Promise<void>;
  /** Called once when the job fails for good (permanent error or attempts used up). */
  onFailed?(payload: Payload, error: unknown, ctx: JobContext): void | Promise<void>;
  /** Drop the payload once the job succeeded (it carries personal data that must not outlive it). */
  redactPayloadWhenDone?: boolean;
}

/** A handler for every job kind, each typed by its payload. */
export type JobHandlers<P extends PayloadMap> = { [K in JobKind<P>]: JobHandler<P[K]> };

/** What a runner needs to carry out jobs: the handlers and the schema that checks each payload first. */
export interface JobDefinitions<P extends PayloadMap> {
  handlers: JobHandlers<P>;
  schemas: PayloadSchemas<P>;
}

/** After each attempt: it succeeded, failed and will retry, failed for good, or asked to run later. */
export type AttemptOutcome = "succeeded" | "retry" | "failed" | "deferred";

export interface StopResult { finished: number; released: number }

/**
 * What runs the jobs in this process, whichever the backend: SQLite's worker, or
 * graphile-worker's runner on PostgreSQL.
 */
export interface JobRunner {
  start(): Promise<void>;
  /** A job was enqueued here: look now rather than at the next poll. */
  notify(): void;
  /** Resolves when nothing is due and nothing runs (tests, benchmarks). */
  idle(): Promise<void>;
  /** Stop claiming, let running jobs finish within `graceMs`, then abort them and give them back without using up an attempt. */
  stop(graceMs?: number): Promise<StopResult>;
  /** Jobs running now. */
  readonly inFlight: number;
}
