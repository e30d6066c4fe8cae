/**
 * Operator CLI for support staff, on the app's database: `npm run accounts -- <command> …`.
 * Each command is a file in scripts/accounts/ and one line in COMMANDS. Exit codes: 0 done,
 * 1 failed or nothing found, 2 wrong usage.
 */
import { loadConfigOrExit } from "../src/config.ts";
import type { Backend } from "../src/backend/backend.ts";
import { openBackend } from "../src/backend/open-backend.ts";
import { DatabaseOpenError } from "../src/db/client.ts";
import { createSilentLogger } from "../src/logger.ts";
import { describeStartupFailure } from "../src/startup-failure.ts";
import { adopt } from "./accounts/adopt.ts";
import { backup } from "./accounts/backup.ts";
import { UsageError, type AccountsCommand, type CommandContext } from "./accounts/command.ts";
import { compliance } from "./accounts/compliance.ts";
import { jobs } from "./accounts/jobs.ts";
import { list } from "./accounts/list.ts";
import { loginLink } from "./accounts/login-link.ts";
import { move } from "./accounts/move.ts";
import { replay } from "./accounts/replay.ts";
import { retry } from "./accounts/retry.ts";
import { show } from "./accounts/show.ts";
import { unprocessable } from "./accounts/unprocessable.ts";

const COMMANDS: Record<string, AccountsCommand> = {
  list,
  show,
  retry,
  "login-link": loginLink,
  adopt,
  move,
  compliance,
  jobs,
  unprocessable,
  replay,
  backup,
};

const usage = () => [
  "usage: npm run accounts -- <command>",
  ...Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(34)} ${c.summary}`),
].join("\n");

const [name, ...argv] = process.argv.slice(2);
if (name === "help" || name === "--help" || name === "-h") {
  process.stdout.write(`${usage()}\n`);
  process.exit(0);
}
const command = name === undefined ? undefined : COMMANDS[name];
if (!command) {
  process.stderr.write(`${name === undefined ? "no command given" : `unknown command "${name}"`}\n${usage()}\n`);
  process.exit(2);
}

const { config } = loadConfigOrExit();
let backend: Promise<Backend> | undefined;
const ctx: CommandContext = {
  config,
  backend: () => (backend ??= openBackend({ url: config.databaseUrl, sqliteSynchronous: config.sqliteSynchronous, logger: createSilentLogger(), now: Date.now, role: "tool" })),
  print: (value) => process.stdout.write(`${typeof value === "string" ? value : JSON.stringify(value, null, 2)}\n`),
  table: (rows) => console.table(rows),
};

try {
  process.exitCode = (await command.run(argv, ctx)) ?? 0;
} catch (err) {
  if (err instanceof UsageError) {
    process.stderr.write(`${err.message}\nusage: npm run accounts -- ${command.usage}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`${err instanceof DatabaseOpenError ? describeStartupFailure(err) : err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
} finally {
  await (await backend?.catch(() => undefined))?.close();
}
