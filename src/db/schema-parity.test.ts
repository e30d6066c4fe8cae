import { getTableConfig as pgTableConfig, type PgTable } from "drizzle-orm/pg-core";
import { getTableConfig as sqliteTableConfig, type SQLiteTable } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import * as pgSchema from "./schema.pg.ts";
import * as sqliteSchema from "./schema.ts";

interface Shape {
  columns: Array<{ name: string; notNull: boolean; primary: boolean; hasDefault: boolean }>;
  primaryKey: string[];
  indexes: Array<{ name: string; columns: string[]; unique: boolean; partial: boolean }>;
  foreignKeys: string[];
}

type AnyConfig = ReturnType<typeof sqliteTableConfig> | ReturnType<typeof pgTableConfig>;

function shapeOf(config: AnyConfig): Shape {
  return {
    columns: config.columns.map((c) => ({ name: c.name, notNull: c.notNull, primary: c.primary, hasDefault: c.hasDefault })).sort((a, b) => a.name.localeCompare(b.name)),
    primaryKey: config.primaryKeys.flatMap((pk) => pk.columns.map((c) => c.name)),
    indexes: config.indexes.map((i) => ({
      name: i.config.name!, unique: i.config.unique, partial: i.config.where !== undefined,
      columns: i.config.columns.map((c) => ("name" in c ? String(c.name) : "expression")),
    })).sort((a, b) => a.name.localeCompare(b.name)),
    foreignKeys: config.foreignKeys.map((fk) => {
      const ref = fk.reference();
      return `${ref.columns.map((c) => c.name).join(",")} → ${ref.foreignColumns.map((c) => c.name).join(",")}`;
    }),
  };
}

const tablesOf = <T>(schema: Record<string, unknown>, isTable: (v: unknown) => v is T) =>
  Object.values(schema).filter(isTable);

describe("schema.ts and schema.pg.ts", () => {
  const sqlite = new Map(tablesOf(sqliteSchema, (v): v is SQLiteTable => typeof v === "object" && v !== null && Symbol.for("drizzle:IsDrizzleTable") in v)
    .map((t) => { const c = sqliteTableConfig(t); return [c.name, shapeOf(c)] as const; }));
  const pg = new Map(tablesOf(pgSchema, (v): v is PgTable => typeof v === "object" && v !== null && Symbol.for("drizzle:IsDrizzleTable") in v)
    .map((t) => { const c = pgTableConfig(t); return [c.name, shapeOf(c)] as const; }));

  it("have the same tables, but SQLite's own queue table (graphile-worker keeps PostgreSQL's jobs)", () => {
    expect([...pg.keys()].sort()).toEqual([...sqlite.keys()].filter((name) => name !== "jobs").sort());
  });

  it.each([...sqlite.keys()].filter((name) => name !== "jobs"))("%s has the same columns, keys and indexes on both", (name) => {
    expect(pg.get(name)).toEqual(sqlite.get(name));
  });
});
