/**
 * drizzle-orm's values, loaded from its CommonJS build. Import drizzle from here, not from
 * "drizzle-orm" (types may still be imported from there with `import type`).
 *
 * Why: drizzle-orm's package.json is 175 KB (447 "exports" entries), and Node 24's ESM loader
 * looks up and deserializes the package scope again for each of the ~300 files an ESM import
 * pulls in. Measured on Node 24.21: importing "drizzle-orm" and "drizzle-orm/better-sqlite3"
 * as ESM took 520 ms (CPU profile: 275 ms in package_json_reader, 100 ms GC); `require` of
 * the same entry points takes 60–70 ms. Measured again with `npm run bench:ab` against plain
 * ESM imports, same run: start-up to /readyz 850 vs 1,631 ms (median of 8), idle RSS 107.9 vs
 * 130.6 MiB; webhook throughput the same. Still so on 2026-11-29 for what imports the sources
 * directly (tests, scripts): ESM import of "drizzle-orm/better-sqlite3" 1.4 s and 240 MiB, require
 * 0.12 s and 63 MiB.
 */
import { createRequire } from "node:module";
import type * as DrizzleCore from "drizzle-orm";
import type * as DrizzleBetterSqlite from "drizzle-orm/better-sqlite3";
import type * as DrizzleMigrator from "drizzle-orm/better-sqlite3/migrator";
import type * as DrizzleSqlite from "drizzle-orm/sqlite-core";

// `import.meta.url` is absent when drizzle-kit loads the schema as CommonJS. The bundle `npm start`
// runs (bundle/app-bundle.ts) imports these names from drizzle's ES modules instead.
const requireCjs = typeof require === "function" ? require : createRequire(import.meta.url);

export const { and, desc, eq, inArray, isNotNull, isNull, lte, ne, notExists, or, sql } =
  requireCjs("drizzle-orm") as typeof DrizzleCore;
export const { index, integer, primaryKey, sqliteTable, text, uniqueIndex } =
  requireCjs("drizzle-orm/sqlite-core") as typeof DrizzleSqlite;
export const { drizzle } = requireCjs("drizzle-orm/better-sqlite3") as typeof DrizzleBetterSqlite;
export const { migrate } = requireCjs("drizzle-orm/better-sqlite3/migrator") as typeof DrizzleMigrator;
