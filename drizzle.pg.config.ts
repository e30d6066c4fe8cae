import type { Config } from "drizzle-kit";

/** PostgreSQL's migrations, from the same tables as drizzle.config.ts (see src/db/schema.pg.ts). */
export default {
  dialect: "postgresql",
  schema: "./src/db/schema.pg.ts",
  out: "./migrations/postgres",
} satisfies Config;
