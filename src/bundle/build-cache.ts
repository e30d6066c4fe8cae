import { randomUUID } from "node:crypto";
import { rename, rm, writeFile } from "node:fs/promises";
import { createRequire, getCompileCacheDir } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Where esbuild's output is kept from one start to the next (the app's bundle, the page's minified
 * files): Node's compile cache folder, which `npm start` turns on (`NODE_COMPILE_CACHE` moves it),
 * or `$TMPDIR/mousestats-heatmaps` when that cache is off. Trusted as Node's compile cache is,
 * whose compiled code the app runs.
 */
export function buildCacheDir(): string {
  return getCompileCacheDir() ?? join(tmpdir(), "mousestats-heatmaps");
}

/** The esbuild that builds and minifies: part of every key, so that a new esbuild builds again. */
export const ESBUILD_VERSION = (createRequire(import.meta.url)("esbuild/package.json") as { version: string }).version;

/** Written whole or not at all: a temporary file renamed over it (a reader never sees half of one). */
export async function writeFileWhole(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  try {
    await writeFile(temporary, text, { mode: 0o600 });
    await rename(temporary, file);
  } catch (err) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw err;
  }
}
