import { existsSync } from "node:fs";
import Sqlite from "better-sqlite3";

export interface BackupResult {
  pages: number;
  bytes: number;
}

/**
 * Copies a live SQLite database into a new file with SQLite's online backup API, safely while
 * the app writes: the copy is one consistent snapshot (all pages in one step, so a write
 * elsewhere cannot restart it), then checked with `integrity_check`.
 * The source is opened read-only: no folder created, no migration run.
 * @throws Error when the destination exists, the source is missing, or the copy is not sound
 */
export async function backupDatabase(sourcePath: string, destinationPath: string): Promise<BackupResult> {
  if (existsSync(destinationPath)) throw new Error(`${destinationPath} already exists; choose a new file name`);
  const source = new Sqlite(sourcePath, { readonly: true, fileMustExist: true });
  let pages: number;
  try {
    ({ totalPages: pages } = await source.backup(destinationPath, { progress: () => 0x7fffffff }));
  } finally {
    source.close();
  }
  const copy = new Sqlite(destinationPath, { readonly: true });
  try {
    const check = copy.pragma("integrity_check", { simple: true });
    if (check !== "ok") throw new Error(`the backup in ${destinationPath} failed SQLite's integrity check: ${String(check)}`);
    const pageSize = copy.pragma("page_size", { simple: true }) as number;
    return { pages, bytes: pages * pageSize };
  } finally {
    copy.close();
  }
}
