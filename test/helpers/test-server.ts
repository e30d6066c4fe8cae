import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Sqlite from "better-sqlite3";
import { parseConfig } from "../../src/config.ts";
import { createSilentLogger } from "../../src/logger.ts";
import type { StatementParams } from "../../src/db/app-database.ts";
import { startServer, type RunningServer } from "../../src/server.ts";

export interface TestServer extends RunningServer {
  /** The seam; on SQLite with its raw connection for assertions (`sqlite` is undefined on PostgreSQL: use `rows`). */
  database: RunningServer["database"] & { sqlite: Sqlite.Database };
  /** Rows of a query in the SQL both backends speak (`@name` parameters), for assertions on either backend. */
  rows<T = Record<string, unknown>>(sql: string, params?: StatementParams): Promise<T[]>;
  /** `select count(*) from <fromWhere>` on either backend. */
  count(fromWhere: string, params?: StatementParams): Promise<number>;
  /**
   * Jobs ever added to the queue, on either backend (SQLite keeps its jobs; graphile-worker deletes
   * a job once it succeeds, so on PostgreSQL this reads its job id sequence, which retries advance too).
   */
  jobsAdded(): Promise<number>;
  /**
   * Waits until no job is left to run, retries scheduled for later included (the worker's
   * `idle()` looks only at what is due now).
   */
  settled(timeoutMs?: number): Promise<void>;
  dir: string;
  /** Moves the app's clock forward (e.g. past the usage cache's 5 minutes, or a session token's minute). */
  advanceClock(ms: number): void;
  /** Stops the server and deletes its folder. */
  close(): Promise<void>;
}

/** The real server on loopback, a real SQLite file in a temp folder, sandbox shop and bundled simulator by default. */
export async function startTestServer(env: Record<string, string> = {}, options: { concurrency?: number } = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "ms-app-"));
  const { config } = parseConfig({ PORT: "0", HOST: "127.0.0.1", DATABASE_URL: join(dir, "app.db"), LOG_LEVEL: "silent", MOUSESTATS_TIMEOUT_MS: "2000", ...env });
  let offsetMs = 0;
  const running = await startServer({
    config, logger: createSilentLogger(), backoff: { baseMs: 20, capMs: 100 }, concurrency: options.concurrency,
    now: () => Date.now() + offsetMs,
  });
  const rows = <T>(sql: string, params?: StatementParams) => running.database.statement<T>(sql).all(params);
  const count = async (fromWhere: string, params?: StatementParams) => Number((await rows<{ n: number }>(`select count(*) as n from ${fromWhere}`, params))[0]?.n ?? 0);
  return {
    ...running,
    database: running.database as TestServer["database"],
    rows,
    count,
    jobsAdded: () => (running.backend.kind === "sqlite" ? count("jobs")
      : rows<{ n: number }>("select coalesce(pg_sequence_last_value(pg_get_serial_sequence('graphile_worker._private_jobs', 'id')::regclass), 0) as n").then((r) => Number(r[0]?.n ?? 0))),
    async settled(timeoutMs = 10_000) {
      const unfinished = running.backend.kind === "sqlite" ? "jobs where status in ('pending', 'running')" : "graphile_worker.jobs where attempts < max_attempts";
      await waitFor(async () => (await count(unfinished)) === 0, timeoutMs, "every job finished");
      await running.worker.idle();
    },
    dir,
    advanceClock(ms) { offsetMs += ms; },
    async close() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` returns a truthy value (or throws after `timeoutMs`). */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 10_000, what = "condition"): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
