import { openDatabase } from "./client.ts";
import { sqliteAppDatabase } from "./sqlite-database.ts";

/** A fresh `:memory:` database with the real migrations applied, for unit tests: the seam, with the raw connection beside it. */
export function createTestDatabase() {
  return sqliteAppDatabase(openDatabase(":memory:"));
}

export type TestDatabase = ReturnType<typeof createTestDatabase>;
