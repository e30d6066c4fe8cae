import type { SqliteSynchronous } from "../config.ts";
import type { AppDatabase } from "../db/app-database.ts";
import type { Logger } from "../logger.ts";
import type { AppJobQueue, JobPayloads } from "../provisioning/job-kinds.ts";
import type { BackoffOptions } from "../queue/backoff.ts";
import type { AttemptOutcome, JobDefinitions, JobRunner } from "../queue/job-handler.ts";
import type { RateLimiter, RateLimiterOptions } from "../web/rate-limiter.ts";
import type { WebhookInbox } from "../webhooks/webhook-inbox.ts";

export interface RunnerOptions {
  definitions: JobDefinitions<JobPayloads>;
  logger: Logger;
  /** Jobs this instance runs at once. */
  concurrency: number;
  onAttempt?: (kind: string, outcome: AttemptOutcome) => void;
}

/**
 * Where the app keeps its data and its jobs: a SQLite file with SQLite's own queue (one
 * instance), or PostgreSQL with graphile-worker (any number of instances). The rest of the app
 * sees only this.
 */
export interface Backend {
  readonly kind: "sqlite" | "postgres";
  readonly database: AppDatabase;
  readonly queue: AppJobQueue;
  /** Stores each webhook delivery with its jobs, one transaction per batch (group commit). */
  readonly inbox: WebhookInbox;
  createRunner(options: RunnerOptions): JobRunner;
  /** A limit every instance of the app on this backend counts against (e.g. login links a minute). */
  createRateLimiter(options: RateLimiterOptions): RateLimiter;
  /** Whether the queue's storage answers (its migrations applied). */
  queueReady(): Promise<boolean>;
  /** Hourly upkeep of the queue's own storage (beyond the app's tables). */
  tidyQueue(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenBackendOptions {
  /** `DATABASE_URL`. */
  url: string;
  /** `SQLITE_SYNCHRONOUS` (SQLite only). @default "FULL" */
  sqliteSynchronous?: SqliteSynchronous;
  logger: Logger;
  now: () => number;
  /** Retry backoff; tests shrink it. @default base 1 s, cap 5 min */
  backoff?: BackoffOptions;
  /**
   * `tool`: an operator's command beside a running app (`npm run accounts`): it neither resumes
   * jobs nor runs background work. @default "app"
   */
  role?: "app" | "tool";
}
