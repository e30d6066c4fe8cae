import { isPostgresUrl } from "../db/app-database.ts";
import type { Backend, OpenBackendOptions } from "./backend.ts";
import { openSqliteBackend } from "./sqlite-backend.ts";

/**
 * `DATABASE_URL=postgres://…` opens PostgreSQL (loaded only then: its driver and queue stay out
 * of SQLite's start-up); a file path or `:memory:` opens SQLite.
 */
export async function openBackend(options: OpenBackendOptions): Promise<Backend> {
  if (!isPostgresUrl(options.url)) return openSqliteBackend(options);
  const { openPostgresBackend } = await import("./postgres-backend.ts");
  return openPostgresBackend(options);
}
