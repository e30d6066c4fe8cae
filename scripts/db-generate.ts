/**
 * `npm run db:generate -- --name <what_changed>`: after editing the tables, the next migration
 * for both backends, SQLite (`schema.ts` → migrations/) and PostgreSQL (`schema.pg.ts` →
 * migrations/postgres/). Change both schema files alike: schema-parity.test.ts compares them.
 */
import { spawnSync } from "node:child_process";

const args = process.argv.slice(2);
for (const config of ["drizzle.config.ts", "drizzle.pg.config.ts"]) {
  const run = spawnSync("drizzle-kit", ["generate", "--config", config, ...args], { stdio: "inherit" });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
