import { DatabaseOpenError } from "./db/client.ts";

export interface StartupContext {
  port: number;
  /** undefined: every interface. */
  host: string | undefined;
}

type SystemError = Error & { code?: string; syscall?: string };

const FILE_REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "the file system is read-only",
  ENOTDIR: "part of the path is a file, not a folder",
  EEXIST: "part of the path is a file, not a folder",
  ENOSPC: "no space left on the device",
};

/**
 * One plain line for whatever stopped the app from starting, in the manner of configuration
 * errors: what failed, where, and what to change. Never a stack trace.
 */
export function describeStartupFailure(err: unknown, context: StartupContext = { port: 0, host: undefined }): string {
  if (err instanceof DatabaseOpenError) return describeDatabaseFailure(err);
  const e = err instanceof Error ? (err as SystemError) : undefined;
  const where = `${context.host ?? "every interface"}, port ${context.port}`;
  if (e?.syscall === "listen" || e?.syscall === "getaddrinfo") {
    switch (e.code) {
      case "EADDRINUSE": return `Port ${context.port} is already in use by another program: stop it, or set PORT to a free port.`;
      case "EACCES": return `Not allowed to listen on ${where}: ports below 1024 need privileges; set PORT to 1024 or above (put a reverse proxy in front for 443).`;
      case "EADDRNOTAVAIL": return `HOST ${context.host} is not an address of this machine: set HOST to one of its addresses, or 0.0.0.0 for all of them.`;
      case "ENOTFOUND":
      case "EAI_AGAIN": return `HOST ${context.host} does not resolve to an address: set HOST to an address of this machine, or 0.0.0.0.`;
    }
  }
  return `Could not start: ${firstLine(e?.message ?? String(err))}`;
}

/** better-sqlite3 loads its compiled part when the first database opens. */
function isDriverLoadFailure(e: SystemError | undefined): boolean {
  return e?.code === "ERR_DLOPEN_FAILED" || /better_sqlite3|prebuilds\/.*\.node|NODE_MODULE_VERSION/.test(e?.message ?? "");
}

function describeDatabaseFailure(err: DatabaseOpenError): string {
  const cause = err.cause as SystemError | undefined;
  const code = cause?.code ?? "";
  if (err.stage === "folder") {
    return `Cannot create the database folder ${err.path}: ${FILE_REASONS[code] ?? firstLine(cause?.message ?? "")}; set DATABASE_URL to a file in a folder the app may write.`;
  }
  if (err.stage === "migrate") {
    return `Cannot bring the database ${err.path} up to this version (${firstLine(cause?.message ?? "")}): restore the backup taken before the upgrade and start the version you had (README, "Upgrading").`;
  }
  if (isDriverLoadFailure(cause)) {
    return `The SQLite driver (better-sqlite3) does not load here (${firstLine(cause!.message)}): run npm ci on this machine, with Node.js 22.18+ or 24.`;
  }
  if (code === "SQLITE_CANTOPEN") return `Cannot open the database file ${err.path}: make it a file (not a folder) in a folder the app may write, or change DATABASE_URL.`;
  if (code.startsWith("SQLITE_READONLY")) return `The database file ${err.path} is read-only for this user: give the app write access to it and to its folder (SQLite writes -wal and -shm files beside it).`;
  if (code === "SQLITE_NOTADB") return `${err.path} is not a SQLite database: point DATABASE_URL at the app's database file.`;
  if (code === "SQLITE_CORRUPT") return `The database file ${err.path} is damaged: restore it from a backup (README, "Backups").`;
  if (code === "SQLITE_BUSY") return `The database file ${err.path} is locked by another process: one app process per database.`;
  if (code === "SQLITE_FULL") return `No space left for the database file ${err.path}: free some disk space.`;
  return `Cannot open the database ${err.path}: ${firstLine(cause?.message ?? "")}`;
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0]!.trim();
}
