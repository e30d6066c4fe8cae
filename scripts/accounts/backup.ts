import { isPostgresUrl } from "../../src/db/app-database.ts";
import { backupDatabase } from "../../src/db/backup.ts";
import { parseCommandArgs, UsageError, type AccountsCommand } from "./command.ts";

export const backup: AccountsCommand = {
  usage: "backup <file>",
  summary: "SQLite online backup of the database into a new file, safe while the app runs (PostgreSQL: pg_dump)",
  async run(argv, { config, print }) {
    const [file] = parseCommandArgs(argv, {}, 1).positionals;
    if (isPostgresUrl(config.databaseUrl)) throw new UsageError(pgDumpAdvice(config.databaseUrl, file!));
    if (config.databaseUrl === ":memory:") throw new UsageError("DATABASE_URL is :memory:; there is nothing on disk to back up");
    const { pages, bytes } = await backupDatabase(config.databaseUrl, file!);
    print(`backed up ${config.databaseUrl} to ${file} (${pages} pages, ${(bytes / 1024).toFixed(0)} KiB, integrity ok)`);
  },
};

/**
 * On PostgreSQL the backup is PostgreSQL's own: the command to run, with the URL's host, port,
 * user and database but never its password (pg_dump reads PGPASSWORD or ~/.pgpass).
 */
export function pgDumpAdvice(url: string, file: string): string {
  let target: URL | undefined;
  try {
    target = new URL(url);
  } catch {
    target = undefined;
  }
  const quote = (value: string) => (/^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`);
  const part = (flag: string, value: string | undefined) => (value ? ` ${flag}=${quote(decodeURIComponent(value))}` : "");
  const options = target
    ? `${part("--host", target.hostname)}${part("--port", target.port)}${part("--username", target.username)}${part("--dbname", target.pathname.replace(/^\//, "") || undefined)}`
    : " --dbname=<database>";
  return [
    "DATABASE_URL is PostgreSQL: this command backs up a SQLite file only. Back PostgreSQL up with pg_dump, safe while the app runs",
    "(the app's tables and graphile-worker's queue in one consistent snapshot); set PGPASSWORD or use ~/.pgpass for the password:",
    `  pg_dump --format=custom --file=${quote(file)}${options}`,
    "and restore into an empty database with pg_restore --dbname=<database> <file>.",
  ].join("\n");
}
