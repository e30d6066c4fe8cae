import { describe } from "vitest";
import { createPostgresDatabase, hasPostgres } from "./postgres-database.ts";

/** A backend the flow tests run against: SQLite (a file per test server) or the run's throwaway PostgreSQL. */
export interface TestBackend {
  name: "sqlite" | "postgres";
  /** False when this run has no PostgreSQL (the global set-up said so loudly; in CI it is an error instead). */
  available: boolean;
  /** Environment for `startTestServer`: a fresh PostgreSQL database, or nothing (its own SQLite file). */
  env(prefix?: string): Promise<Record<string, string>>;
}

/** Both backends, for `describe.each(testBackends())` around the tests that start the app. */
export function testBackends(): TestBackend[] {
  return [
    { name: "sqlite", available: true, env: async () => ({}) },
    { name: "postgres", available: hasPostgres(), env: async (prefix = "flow") => ({ DATABASE_URL: await createPostgresDatabase(prefix) }) },
  ];
}

/**
 * `describe` once per backend, titled with its name; the PostgreSQL one is skipped (and listed as
 * skipped) when the run has no PostgreSQL.
 */
export function describeEachBackend(title: string, body: (backend: TestBackend) => void): void {
  for (const backend of testBackends()) describe.skipIf(!backend.available)(`${title} (${backend.name})`, () => body(backend));
}
