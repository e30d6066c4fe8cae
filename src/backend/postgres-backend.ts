import { makeWorkerUtils, runMigrations } from "graphile-worker";
import { openPostgresDatabase } from "../db/postgres/postgres-database.ts";
import type { JobPayloads } from "../provisioning/job-kinds.ts";
import { createGraphileJobQueue } from "../queue/postgres/graphile-job-queue.ts";
import { createGraphileRunner } from "../queue/postgres/graphile-runner.ts";
import { createDatabaseRateLimiter } from "../web/rate-limiter.ts";
import { createPostgresWebhookInbox } from "../webhooks/postgres-webhook-inbox.ts";
import type { Backend, OpenBackendOptions } from "./backend.ts";

/**
 * PostgreSQL with graphile-worker: any number of app instances on one database. The app's
 * migrations and graphile-worker's run at start under one advisory lock.
 * @throws DatabaseOpenError naming the step that failed
 */
export async function openPostgresBackend(options: OpenBackendOptions): Promise<Backend> {
  const database = await openPostgresDatabase({
    url: options.url, applicationName: "mousestats-heatmaps",
    alsoMigrate: (pgPool) => runMigrations({ pgPool, logger: undefined }),
  });
  return {
    kind: "postgres",
    database,
    queue: createGraphileJobQueue<JobPayloads>(database),
    inbox: createPostgresWebhookInbox(database),
    createRunner: (runner) => createGraphileRunner({ database, backoff: options.backoff, ...runner }),
    createRateLimiter: (limits) => createDatabaseRateLimiter(database, { now: options.now, ...limits }),
    async queueReady() {
      const { rows } = await database.pool.query<{ ok: boolean }>("select to_regclass('graphile_worker.jobs') is not null as ok");
      return rows[0]?.ok === true;
    },
    async tidyQueue() {
      // Named queues left empty: one per email ever provisioned.
      const utils = await makeWorkerUtils({ pgPool: database.pool });
      try {
        await utils.cleanup({ tasks: ["GC_JOB_QUEUES"] });
      } finally {
        await utils.release();
      }
    },
    async close() {
      await database.close();
    },
  };
}
