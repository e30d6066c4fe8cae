import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import Sqlite from "better-sqlite3";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { drizzle, migrate } from "./drizzle.ts";
import type { SqliteSynchronous } from "../config.ts";
import * as schema from "./schema.ts";

/** drizzle over the connection; `$client` is the connection itself (prepared statements on hot paths). */
export type Db = BetterSQLite3Database<typeof schema> & { $client: Sqlite.Database };

export interface Database {
  db: Db;
  /** The raw connection, for pragmas, hot-path prepared statements and closing. */
  sqlite: Sqlite.Database;
  close(): void;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../migrations", import.meta.url));

export interface OpenDatabaseOptions {
  /** Apply pending migrations (drizzle's journal in `migrations/`). @default true */
  migrate?: boolean;
  /** `SQLITE_SYNCHRONOUS`. @default "FULL" */
  synchronous?: SqliteSynchronous;
}

/** What went wrong while opening the database, and where: its folder, the file, or a migration. */
export class DatabaseOpenError extends Error {
  readonly stage: "folder" | "open" | "migrate";
  /** The folder (stage "folder") or the database file. */
  readonly path: string;
  constructor(stage: DatabaseOpenError["stage"], path: string, cause: unknown) {
    const what = { folder: "cannot create the database folder", open: "cannot open the database", migrate: "cannot migrate the database" }[stage];
    super(`${what} ${path}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "DatabaseOpenError";
    this.stage = stage;
    this.path = path;
  }
}

/**
 * Opens (creating the folder of) a SQLite file or `:memory:`, sets pragmas, applies migrations.
 * @throws DatabaseOpenError naming the step that failed
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Database {
  if (path !== ":memory:") {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (err) {
      throw new DatabaseOpenError("folder", dirname(path), err);
    }
  }
  let sqlite: Sqlite.Database | undefined;
  try {
    sqlite = new Sqlite(path);
    sqlite.pragma("journal_mode = WAL");
    // In WAL mode FULL syncs the log at each commit: a webhook answered 200 survives a power cut.
    // NORMAL syncs only at checkpoints: it survives a crash of the app, not of the machine.
    sqlite.pragma(`synchronous = ${options.synchronous ?? "FULL"}`);
    sqlite.pragma("foreign_keys = ON");
    sqlite.pragma("busy_timeout = 5000");
    sqlite.pragma("temp_store = MEMORY");
  } catch (err) {
    sqlite?.close();
    throw new DatabaseOpenError("open", path, err);
  }
  const db = drizzle(sqlite, { schema });
  try {
    if (options.migrate ?? true) migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  } catch (err) {
    sqlite.close();
    throw new DatabaseOpenError("migrate", path, err);
  }
  const opened = sqlite;
  return { db, sqlite: opened, close: () => opened.open && opened.close() };
}

/** True when the connection answers and every migration in the journal has been applied. */
export function isDatabaseReady(database: Database, expectedMigrations: number): boolean {
  try {
    const row = database.sqlite
      .prepare("select count(*) as n from __drizzle_migrations")
      .get() as { n: number } | undefined;
    return (row?.n ?? 0) >= expectedMigrations;
  } catch {
    return false;
  }
}
