import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";

/** True when the run has a throwaway PostgreSQL (test/setup/postgres-server.ts). */
export const hasPostgres = (): boolean => inject("postgresUrl") !== null;

/** A new, empty database on the run's throwaway PostgreSQL; its URL. */
export async function createPostgresDatabase(prefix = "test"): Promise<string> {
  const url = inject("postgresUrl");
  if (!url) throw new Error("no PostgreSQL in this run");
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
  return url.replace(/\/[^/]*$/, `/${name}`);
}
