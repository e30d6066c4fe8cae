import pg from "pg";
import type { PostgresAppDatabase } from "../../db/postgres/postgres-database.ts";
import type { Logger } from "../../logger.ts";

const PREFIX = "mousestats-jobs:";

export interface InstanceWatch {
  /** From now on this instance's worker pool is known to be alive. */
  announce(poolId: string): Promise<void>;
  stop(): Promise<void>;
}

export interface InstancePresenceOptions {
  database: PostgresAppDatabase;
  logger: Logger;
  ownPoolId: () => string | undefined;
  /** This instance lost its presence: the others may take its jobs, so it must stop running them. */
  onLost: () => void;
  /** How often the others' presence is checked. @default 2000 */
  sweepEveryMs?: number;
  /** A lock younger than this is never released (an instance announces itself just after it starts). @default 3000 */
  graceMs?: number;
}

/**
 * Which instances are alive, told by PostgreSQL itself: each holds one connection named after
 * its graphile-worker pool (`application_name`), which the server drops the moment the process
 * dies (a SIGKILL closes its sockets). Every instance looks every 2 s for jobs locked by a pool
 * with no such connection and unlocks them with graphile-worker's `force_unlock_workers` (an
 * attempt among them that a later job of its key had superseded is completed instead); they
 * run again on a live instance within seconds, where graphile-worker alone would wait 4 hours.
 * An instance that loses its own connection stops its running jobs at once, since the others
 * may now take them.
 */
export async function watchInstances(options: InstancePresenceOptions): Promise<InstanceWatch> {
  const { database, logger } = options;
  const graceS = (options.graceMs ?? 3000) / 1000;
  let presence: pg.Client | undefined;
  let stopped = false;
  const sweep = async () => {
    const { rows } = await database.pool.query<{ locked_by: string }>(`select distinct j.locked_by from graphile_worker.jobs j
      where j.locked_by is not null and j.locked_at < now() - make_interval(secs => $1)
        and not exists (select 1 from pg_stat_activity a where a.application_name = $2 || j.locked_by)`, [graceS, PREFIX]);
    const gone = rows.map((r) => r.locked_by).filter((id) => id !== options.ownPoolId());
    if (gone.length === 0) return;
    const superseded = await database.transaction(async (tx) => {
      const client = database.queryable(tx);
      // An attempt whose key a later add_job took over (a retry the attempt had scheduled, or a
      // webhook while it ran) was de-keyed by graphile-worker and set to its last attempt: its
      // successor holds the key. Left unlocked it would read as failed for good; it is done with.
      const { rows: stale } = await client.query<{ id: string }>(`select id from graphile_worker._private_jobs
        where locked_by = any($1::text[]) and key is null and job_queue_id is not null and attempts >= max_attempts`, [gone]);
      await client.query("select graphile_worker.force_unlock_workers($1::text[])", [gone]);
      const { rows } = await client.query<{ n: number }>("select count(*)::int as n from graphile_worker.complete_jobs($1::bigint[])", [stale.map((r) => r.id)]);
      return rows[0]?.n ?? 0;
    });
    logger.warn({ pools: gone, superseded }, "unlocked the jobs of instances that are gone");
  };
  const timer = setInterval(() => {
    sweep().catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, "presence sweep failed"));
  }, options.sweepEveryMs ?? 2000);
  timer.unref();
  return {
    async announce(poolId) {
      const client = new pg.Client({ connectionString: connectionStringOf(database), application_name: `${PREFIX}${poolId}` });
      client.on("error", () => {});
      client.on("end", () => {
        if (stopped) return;
        logger.error("lost the presence connection to PostgreSQL: stopping this instance's running jobs");
        options.onLost();
      });
      await client.connect();
      presence = client;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await presence?.end().catch(() => {});
    },
  };
}

function connectionStringOf(database: PostgresAppDatabase): string {
  return (database.pool.options as { connectionString?: string }).connectionString ?? "";
}
