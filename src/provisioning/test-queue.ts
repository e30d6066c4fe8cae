import type { TestDatabase } from "../db/test-database.ts";
import type { BackoffOptions } from "../queue/backoff.ts";
import { createSqliteJobQueue } from "../queue/sqlite/sqlite-job-queue.ts";
import { createSqliteJobs } from "../queue/sqlite/sqlite-jobs.ts";
import type { AppJobQueue, JobPayloads } from "./job-kinds.ts";

/** SQLite's queue on a test database, through the seam the app's code uses. */
export function createTestQueue(database: TestDatabase, options: { now?: () => number; backoff?: BackoffOptions } = {}): AppJobQueue {
  const jobs = createSqliteJobs({ sqlite: database.sqlite, ...options });
  return createSqliteJobQueue<JobPayloads>(database.sqlite, jobs, options.now);
}
