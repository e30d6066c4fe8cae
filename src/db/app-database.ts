import type { Db } from "./client.ts";

export type { Db } from "./client.ts";

/** Named parameters of a raw statement: `@name` in its text. Dates and booleans are converted for the backend. */
export type StatementParams = Record<string, string | number | boolean | Date | null | undefined>;

/**
 * A raw SQL statement prepared once, in the SQL both backends speak (`@name` parameters; `true`
 * and `false` for booleans; timestamps are milliseconds). Run on `tx` inside a transaction.
 */
export interface RawStatement<Row> {
  all(params?: StatementParams, tx?: Db): Promise<Row[]>;
  get(params?: StatementParams, tx?: Db): Promise<Row | undefined>;
  /** Resolves with the number of rows changed. */
  run(params?: StatementParams, tx?: Db): Promise<number>;
}

export type DatabaseDialect = "sqlite" | "postgres";

/**
 * The app's database, SQLite or PostgreSQL, as the domain sees it: drizzle's query builder on
 * the tables of `schema.ts`, transactions, and raw statements. Everything is asynchronous so
 * that both backends fit; a store takes the `tx` of the transaction it is part of.
 *
 * `db` is typed as drizzle's SQLite database on PostgreSQL too: the stores are written once,
 * on the tables of `schema.ts`, and only ever awaited (no `.run()`/`.get()`/`.all()`), which
 * drizzle's PostgreSQL driver renders in its own dialect. `schema.pg.ts` declares the same
 * tables, columns and indexes for PostgreSQL's migrations, and `schema-parity.test.ts` keeps
 * the two identical.
 */
export interface AppDatabase {
  readonly dialect: DatabaseDialect;
  readonly db: Db;
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws.
   * Only database calls may be awaited inside (no network): on SQLite the connection is the
   * app's only one, held by the transaction until it ends.
   */
  transaction<T>(work: (tx: Db) => Promise<T>): Promise<T>;
  /**
   * Inside the transaction `tx`: until it ends, another transaction that asks for the same `key`
   * waits here. For work that reads rows another transaction may be changing and decides from
   * them (PostgreSQL's read committed would let each decide without the other's rows); SQLite's
   * transactions already run one at a time, so there it has nothing to do.
   */
  lockUntilCommit(key: string, tx: Db): Promise<void>;
  statement<Row = Record<string, unknown>>(text: string): RawStatement<Row>;
  /** The database answers and every shipped migration is applied. */
  isReady(): Promise<boolean>;
  close(): Promise<void>;
}

/** `DATABASE_URL` names PostgreSQL when it is a `postgres://` or `postgresql://` URL; anything else is a SQLite file (or `:memory:`). */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** Where a database URL points, for logs and errors: a PostgreSQL URL without its password. */
export function describeDatabaseUrl(url: string): string {
  if (!isPostgresUrl(url)) return url;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "postgres://(unparsable URL)";
  }
}
