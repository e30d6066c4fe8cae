import { backupDatabase } from "../../src/db/backup.ts";
import { parseCommandArgs, UsageError, type AccountsCommand } from "./command.ts";

export const backup: AccountsCommand = {
  usage: "backup <file>",
  summary: "SQLite online backup of the database into a new file, safe while the app runs",
  async run(argv, { config, print }) {
    const [file] = parseCommandArgs(argv, {}, 1).positionals;
    if (config.databaseUrl === ":memory:") throw new UsageError("DATABASE_URL is :memory:; there is nothing on disk to back up");
    const { pages, bytes } = await backupDatabase(config.databaseUrl, file!);
    print(`backed up ${config.databaseUrl} to ${file} (${pages} pages, ${(bytes / 1024).toFixed(0)} KiB, integrity ok)`);
  },
};
