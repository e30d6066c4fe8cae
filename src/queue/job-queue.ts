import type * as z from "zod";
import type { Db } from "../db/app-database.ts";

/** Job kinds and the payload each carries: `{ [kind]: payload }` (provisioning/job-kinds.ts). */
export type PayloadMap = object;
export type JobKind<P extends PayloadMap> = keyof P & string;

/** One job to enqueue, typed by its kind. */
export type PlannedJob<P extends PayloadMap> = {
  [K in JobKind<P>]: { kind: K; payload: P[K]; idempotencyKey?: string | null };
}[JobKind<P>];

export interface EnqueueOptions {
  /** Enqueue inside this transaction: the job exists exactly when the rest of it commits. */
  tx?: Db;
  /**
   * Jobs with one key do the same work: at most one of them waits (a later enqueue merges into
   * it) and two never run at once, on any instance.
   */
  idempotencyKey?: string | null;
  runAtMs?: number;
  /** @default 12 */
  maxAttempts?: number;
}

/** A job as its handler sees it. */
export interface JobInfo {
  id: string;
  kind: string;
  /** This attempt, from 1. */
  attempts: number;
  maxAttempts: number;
}

/** How deep and how old the queue is, for `/metrics` and `/readyz`. */
export interface QueueStats {
  /** Jobs by kind and state: `pending` (due or not), `running`, `failed` (for good). */
  jobs: Array<{ kind: string; status: "pending" | "running" | "failed"; count: number }>;
  /** Age of the oldest job that is due and not running, in seconds (0 when none). */
  oldestDueAgeS: number;
}

/** The operator's view of one job (`npm run accounts -- jobs`). */
export interface JobSummary {
  id: string;
  kind: string;
  status: string;
  attempts: string;
  /** Whom the job is about: the email or shop in its payload. */
  subject: string | null;
  lastError: string | null;
  /** When it ran last (finished) or will run next (pending), ISO. */
  at: string;
}

export interface ListJobsOptions {
  /** Only jobs that failed for good, or that are waiting to retry after an error. */
  failed?: boolean;
  /** Newest first. @default 50 */
  limit?: number;
}

/**
 * The domain's one door into the durable job queue, on either backend: SQLite's own queue
 * (queue/sqlite/) or graphile-worker on PostgreSQL (queue/postgres/).
 */
export interface JobQueue<P extends PayloadMap> {
  /** Adds a job; resolves false when a waiting job with the same key already covers it. */
  enqueue<K extends JobKind<P>>(kind: K, payload: P[K], options?: EnqueueOptions): Promise<boolean>;
  stats(): Promise<QueueStats>;
  list(options?: ListJobsOptions): Promise<JobSummary[]>;
  /** Jobs whose payload names this email or shop and that are over (succeeded or failed): removed, for redaction. */
  forgetFinished(subject: { email?: string; shop?: string }, tx?: Db): Promise<number>;
}

/** Enqueues a job planned elsewhere (a webhook's plan, a billing check): its kind and payload travel together. */
export function enqueuePlanned<P extends PayloadMap>(queue: JobQueue<P>, job: PlannedJob<P>, options: EnqueueOptions = {}): Promise<boolean> {
  return queue.enqueue(job.kind, job.payload as P[typeof job.kind], { idempotencyKey: job.idempotencyKey, ...options });
}

/** A zod schema per job kind: a payload is checked when its job is claimed, before its handler runs. */
export type PayloadSchemas<P extends PayloadMap> = { [K in JobKind<P>]: z.ZodType<P[K]> };
