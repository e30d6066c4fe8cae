import { parseArgs, type ParseArgsConfig } from "node:util";
import type { AppConfig } from "../../src/config.ts";
import type { Backend } from "../../src/backend/backend.ts";

/** What every `npm run accounts` command gets. */
export interface CommandContext {
  config: AppConfig;
  /** The app's database and queue (SQLite or PostgreSQL, by DATABASE_URL), opened on first use and closed by the CLI. */
  backend(): Promise<Backend>;
  /** A line of text, or a value as indented JSON, on stdout. */
  print(value: unknown): void;
  /** Rows as a table on stdout. */
  table(rows: readonly object[]): void;
}

/** One command of the CLI: its own file, one entry in the table in scripts/accounts.ts. */
export interface AccountsCommand {
  /** Arguments after the command name, e.g. `<email|shop>`. */
  usage: string;
  summary: string;
  /** Resolves with the exit code (0 when it returns nothing). Throw UsageError for bad arguments. */
  run(argv: string[], ctx: CommandContext): Promise<number | void> | number | void;
}

/** Wrong arguments: the CLI prints the message and the command's usage, and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * node:util's parseArgs, strict, with exactly `positionals` positional arguments; any mistake
 * becomes a UsageError.
 */
export function parseCommandArgs<O extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: O, positionals: number) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (parsed.positionals.length !== positionals) {
    throw new UsageError(positionals === 0 ? `unexpected argument ${parsed.positionals[0]}` : `expected ${positionals} argument${positionals > 1 ? "s" : ""}`);
  }
  return parsed;
}
