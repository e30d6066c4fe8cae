import { AsyncLocalStorage } from "node:async_hooks";
import type Sqlite from "better-sqlite3";
import type { AppDatabase, RawStatement, StatementParams } from "./app-database.ts";
import { isDatabaseReady, type Database } from "./client.ts";
import { countShippedMigrations } from "./migrations-journal.ts";

/**
 * The SQLite file behind the asynchronous seam. better-sqlite3 is synchronous, and drizzle's
 * transaction on it cannot await its callback (it would commit early: drizzle-orm#1472), so a
 * transaction here is BEGIN IMMEDIATE … COMMIT around the awaited work, one at a time: the
 * connection is the app's only one, and a second transaction waits for the first. Inside, only
 * database calls are awaited, which resolve at once: a transaction ends within the event-loop
 * turn it began in. The synchronous paths (the webhook inbox, the queue's claim) check
 * `inTransaction` and wait for the next turn rather than join it.
 */
export function sqliteAppDatabase(database: Database): AppDatabase & { sqlite: Sqlite.Database; database: Database } {
  const { sqlite, db } = database;
  const inside = new AsyncLocalStorage<true>();
  let tail: Promise<void> = Promise.resolve();
  const expectedMigrations = countShippedMigrations();

  return {
    dialect: "sqlite",
    db,
    sqlite,
    database,
    async transaction(work) {
      if (inside.getStore()) throw new Error("a transaction cannot begin inside another; pass its tx down instead");
      const previous = tail;
      let release!: () => void;
      tail = new Promise<void>((resolve) => { release = resolve; });
      await previous;
      try {
        sqlite.exec("BEGIN IMMEDIATE");
        try {
          const result = await inside.run(true, () => work(db));
          sqlite.exec("COMMIT");
          return result;
        } catch (err) {
          if (sqlite.inTransaction) sqlite.exec("ROLLBACK");
          throw err;
        }
      } finally {
        release();
      }
    },
    async lockUntilCommit() {},
    statement<Row>(text: string): RawStatement<Row> {
      const prepared = sqlite.prepare(text);
      const reader = prepared.reader;
      return {
        async all(params) {
          return (reader ? prepared.all(bind(params)) : []) as Row[];
        },
        async get(params) {
          return (reader ? prepared.get(bind(params)) : undefined) as Row | undefined;
        },
        async run(params) {
          return prepared.run(bind(params)).changes;
        },
      };
    },
    async isReady() {
      return isDatabaseReady(database, expectedMigrations);
    },
    async close() {
      database.close();
    },
  };
}

/** better-sqlite3 binds numbers, strings and null: booleans become 1/0 and dates milliseconds. */
function bind(params: StatementParams | undefined): Record<string, unknown> {
  if (!params) return {};
  const bound: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    bound[key] = value === undefined ? null : typeof value === "boolean" ? (value ? 1 : 0) : value instanceof Date ? value.getTime() : value;
  }
  return bound;
}
