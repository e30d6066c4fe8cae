import { openDatabase, type Database } from "./client.ts";

/** A fresh `:memory:` database with the real migrations applied, for unit tests. */
export function createTestDatabase(): Database {
  return openDatabase(":memory:");
}
