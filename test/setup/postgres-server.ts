/**
 * vitest global set-up: one throwaway PostgreSQL for the whole run (each test file makes its own
 * database on it). Without PostgreSQL installed the PostgreSQL tests skip, and say so; in CI
 * (CI=true) that is an error instead: .ci/run installs it.
 */
import type { TestProject } from "vitest/node";
import { findPostgresBinaries, startThrowawayPostgres, type ThrowawayPostgres } from "../../scripts/postgres/throwaway-postgres.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The throwaway server's URL, or null when PostgreSQL is not installed. */
    postgresUrl: string | null;
  }
}

let server: ThrowawayPostgres | undefined;

export async function setup(project: TestProject): Promise<void> {
  if (!findPostgresBinaries()) {
    if (process.env.CI) throw new Error("PostgreSQL is not installed, and CI must run the PostgreSQL tests: apt-get install postgresql");
    process.stderr.write("\n*** PostgreSQL is not installed (apt-get install postgresql): the PostgreSQL tests are SKIPPED ***\n\n");
    project.provide("postgresUrl", null);
    return;
  }
  server = await startThrowawayPostgres();
  project.provide("postgresUrl", server.url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
