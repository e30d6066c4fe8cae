import { openDatabase } from "../db/client.ts";
import { sqliteAppDatabase } from "../db/sqlite-database.ts";
import type { JobPayloads } from "../provisioning/job-kinds.ts";
import { createSqliteJobQueue } from "../queue/sqlite/sqlite-job-queue.ts";
import { createSqliteJobs } from "../queue/sqlite/sqlite-jobs.ts";
import { createSqliteWorker } from "../queue/sqlite/sqlite-worker.ts";
import { createMemoryRateLimiter } from "../web/rate-limiter.ts";
import { createSqliteWebhookInbox } from "../webhooks/webhook-inbox.ts";
import type { Backend, OpenBackendOptions } from "./backend.ts";

/**
 * One SQLite file (or `:memory:`) and SQLite's own queue in it: the embedded default, one app
 * process per file. Jobs left `running` belong to a process that died, so they resume now.
 * @throws DatabaseOpenError naming the step that failed
 */
export function openSqliteBackend(options: OpenBackendOptions): Backend {
  const { url, logger, now } = options;
  const app = (options.role ?? "app") === "app";
  // WAL checkpoints are SQLite's own, in the commit that passes 1,000 pages. A worker thread
  // checkpointing every 100 ms did not pay: bench:ab, same run, throughput 1.01x, p99 at 1,000
  // req/s 21.7 vs 18.1 ms, and it cost 13.5 MiB idle RSS and 130 ms of start-up.
  const opened = openDatabase(url, { synchronous: options.sqliteSynchronous ?? "FULL" });
  const database = sqliteAppDatabase(opened);
  const jobs = createSqliteJobs({ sqlite: opened.sqlite, now, backoff: options.backoff });
  const resumed = app ? jobs.recoverAbandoned() : 0;
  if (resumed > 0) logger.info({ resumed }, "resumed jobs left running by a previous process");
  return {
    kind: "sqlite",
    database,
    queue: createSqliteJobQueue<JobPayloads>(opened.sqlite, jobs, now),
    inbox: createSqliteWebhookInbox(opened.sqlite, jobs),
    createRunner: (runner) => createSqliteWorker({ jobs, now, ...runner }),
    // One process per SQLite file: its memory is every instance there is. Counting in the file
    // cost each login link a synced commit under FULL (login link's added time, two runs each,
    // alternated: p50 1.7-2.3 vs 0.6-0.9 ms, p99 4.8-6.3 vs 3.0-3.9 ms in memory). A count lost
    // in a restart only lets a shop start a new minute.
    createRateLimiter: (limits) => createMemoryRateLimiter({ now, ...limits }),
    queueReady: () => database.isReady(),
    async tidyQueue() {},
    async close() {
      await database.close();
    },
  };
}
