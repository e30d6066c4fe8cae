import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { NodePgDatabase } from "drizzle-orm/node-postgres";
import type * as DrizzleNodePg from "drizzle-orm/node-postgres";
import type * as DrizzleNodePgMigrator from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { describeDatabaseUrl, type AppDatabase, type Db, type RawStatement, type StatementParams } from "../app-database.ts";
import { DatabaseOpenError } from "../client.ts";
import { countShippedMigrations } from "../migrations-journal.ts";
import { toPositional } from "./positional-params.ts";

// drizzle from its CommonJS build, as db/drizzle.ts explains (start-up time).
const requireCjs = createRequire(import.meta.url);
const { drizzle } = requireCjs("drizzle-orm/node-postgres") as typeof DrizzleNodePg;
const { migrate } = requireCjs("drizzle-orm/node-postgres/migrator") as typeof DrizzleNodePgMigrator;

export const POSTGRES_MIGRATIONS_FOLDER = fileURLToPath(new URL("../../../migrations/postgres", import.meta.url));

/** One lock for everything that changes the schema, so that instances starting together migrate one at a time. */
export const MIGRATION_LOCK_KEY = 4_715_020_615;

// Timestamps are epoch milliseconds in `bigint` columns: read them as numbers, as SQLite gives
// them (node-postgres reads int8 as text by default, and drizzle asks pg's global parsers).
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export interface PostgresAppDatabase extends AppDatabase {
  readonly pool: pg.Pool;
  /** The connection a transaction's statements go to (the pool outside one). */
  queryable(tx?: Db): pg.Pool | pg.PoolClient;
}

export interface OpenPostgresOptions {
  url: string;
  /** Connections in this instance's pool. @default 10 */
  poolSize?: number;
  /** Apply pending migrations, under a lock. @default true */
  migrate?: boolean;
  /** More schema to bring up under the same lock (graphile-worker's). */
  alsoMigrate?: (pool: pg.Pool) => Promise<void>;
  /** Names this instance's connections in pg_stat_activity. */
  applicationName?: string;
}

/**
 * PostgreSQL behind the seam: a pool, drizzle on it, transactions on one pooled connection each,
 * and migrations at start under an advisory lock.
 * @throws DatabaseOpenError ("open" when the server cannot be reached, "migrate" when a migration fails)
 */
export async function openPostgresDatabase(options: OpenPostgresOptions): Promise<PostgresAppDatabase> {
  const where = describeDatabaseUrl(options.url);
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10, application_name: options.applicationName });
  // An idle connection the server dropped must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  try {
    const probe = await pool.connect();
    probe.release();
  } catch (err) {
    await pool.end();
    throw new DatabaseOpenError("open", where, err);
  }
  const db = drizzle(pool) as unknown as Db;
  if (options.migrate ?? true) {
    try {
      await withLock(pool, async () => {
        await migrate(db as unknown as NodePgDatabase, { migrationsFolder: POSTGRES_MIGRATIONS_FOLDER });
        await options.alsoMigrate?.(pool);
      });
    } catch (err) {
      await pool.end();
      throw new DatabaseOpenError("migrate", where, err);
    }
  }
  const clients = new WeakMap<Db, pg.PoolClient>();
  const expectedMigrations = countShippedMigrations(POSTGRES_MIGRATIONS_FOLDER);
  const queryable = (tx?: Db) => (tx && clients.get(tx)) || pool;
  let closed = false;

  return {
    dialect: "postgres",
    db,
    pool,
    queryable,
    async transaction(work) {
      const client = await pool.connect();
      const tx = drizzle(client) as unknown as Db;
      clients.set(tx, client);
      try {
        await client.query("begin");
        const result = await work(tx);
        await client.query("commit");
        return result;
      } catch (err) {
        await client.query("rollback").catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    async lockUntilCommit(key, tx) {
      // A transaction-level advisory lock on the key's 64-bit hash: released at commit or rollback.
      await queryable(tx).query("select pg_advisory_xact_lock(hashtextextended($1, 0))", [key]);
    },
    statement<Row>(text: string): RawStatement<Row> {
      const { sql, names } = toPositional(text);
      const run = (params: StatementParams | undefined, tx?: Db) =>
        queryable(tx).query<Row & pg.QueryResultRow>(sql, names.map((n) => bind(params?.[n])));
      return {
        async all(params, tx) { return (await run(params, tx)).rows; },
        async get(params, tx) { return (await run(params, tx)).rows[0]; },
        async run(params, tx) { return (await run(params, tx)).rowCount ?? 0; },
      };
    },
    async isReady() {
      try {
        const { rows } = await pool.query<{ n: number }>("select count(*)::int as n from drizzle.__drizzle_migrations");
        return (rows[0]?.n ?? 0) >= expectedMigrations;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

/** Runs `work` holding the migration lock (a session advisory lock on a connection of its own). */
export async function withLock<T>(pool: pg.Pool, work: () => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    try {
      return await work();
    } finally {
      await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

function bind(value: StatementParams[string]): unknown {
  return value instanceof Date ? value.getTime() : value === undefined ? null : value;
}
