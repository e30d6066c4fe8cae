import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openBackend } from "../../src/backend/open-backend.ts";
import type { Backend } from "../../src/backend/backend.ts";
import type { PostgresAppDatabase } from "../../src/db/postgres/postgres-database.ts";
import { createSilentLogger } from "../../src/logger.ts";
import { startThrowawayPostgres } from "../postgres/throwaway-postgres.ts";

export type SoakDatabaseKind = "sqlite" | "postgres";

/** Where the soak's app instances keep their data. */
export interface SoakDatabase {
  kind: SoakDatabaseKind;
  /** The app's `DATABASE_URL`. */
  url: string;
  /** Opens the soak's own view of the data, once the app has migrated it. */
  open(): Promise<SoakReader>;
  /** Removes the database (kept when the run failed, where that is possible). */
  remove(options: { keep: boolean }): Promise<string | undefined>;
}

/**
 * The soak's view of the app's data: the backend-neutral seam (raw statements in the SQL both
 * backends speak, the queue's stats and listing), plus the two things each queue keeps in its
 * own way: finished jobs (SQLite's queue keeps them, graphile-worker deletes a job once it
 * succeeds) and job payloads.
 */
export interface SoakReader {
  backend: Backend;
  /** Succeeded jobs and the attempts each provisioning took, or null when the queue does not keep finished jobs. */
  finishedJobs(): Promise<{ succeeded: number; provisionAttempts: number[] } | null>;
  /** Jobs the queue holds whose payload contains `text` (lower case). */
  jobsMentioning(text: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * SQLite: a file in a temporary folder. PostgreSQL: `url` when given (the test suite's server),
 * else a throwaway server of its own (scripts/postgres/throwaway-postgres.ts), stopped and
 * removed at the end.
 */
export async function createSoakDatabase(kind: SoakDatabaseKind, options: { postgresUrl?: string } = {}): Promise<SoakDatabase> {
  if (kind === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "mousestats-soak-"));
    const url = join(dir, "app.db");
    return {
      kind, url,
      open: () => openReader(url),
      async remove({ keep }) {
        if (keep) return url;
        rmSync(dir, { recursive: true, force: true });
        return undefined;
      },
    };
  }
  const server = options.postgresUrl ? undefined : await startThrowawayPostgres();
  const url = options.postgresUrl ?? await server!.createDatabase("soak");
  return {
    kind, url,
    open: () => openReader(url),
    async remove() {
      // A throwaway server lives only as long as the soak: nothing is left to inspect after.
      await server?.stop();
      return undefined;
    },
  };
}

async function openReader(url: string): Promise<SoakReader> {
  const backend = await openBackend({ url, logger: createSilentLogger(), now: Date.now, role: "tool" });
  const { database } = backend;
  if (backend.kind === "sqlite") {
    const succeeded = database.statement<{ n: number }>("select count(*) n from jobs where status = 'succeeded'");
    const attempts = database.statement<{ attempts: number }>("select attempts from jobs where kind = 'provision-account'");
    const mentioning = database.statement<{ n: number }>("select count(*) n from jobs where lower(payload) like @pattern");
    return {
      backend,
      async finishedJobs() {
        return { succeeded: (await succeeded.get())?.n ?? 0, provisionAttempts: (await attempts.all()).map((r) => r.attempts) };
      },
      async jobsMentioning(text) { return (await mentioning.get({ pattern: `%${text}%` }))?.n ?? 0; },
      close: () => backend.close(),
    };
  }
  const pool = (database as PostgresAppDatabase).pool;
  return {
    backend,
    async finishedJobs() { return null; },
    async jobsMentioning(text) {
      // graphile-worker's public view leaves payloads out; its table has them (read only).
      const { rows } = await pool.query<{ n: number }>("select count(*)::int n from graphile_worker._private_jobs where lower(payload::text) like $1", [`%${text}%`]);
      return rows[0]?.n ?? 0;
    },
    close: () => backend.close(),
  };
}
