import { createHash } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { buildCacheDir, ESBUILD_VERSION, writeFileWhole } from "../../bundle/build-cache.ts";

/** A script or stylesheet of the page, as its source file reads. */
export interface AssetSource {
  name: string;
  loader: "js" | "css";
  source: string;
}

const TARGETS = { js: "es2022", css: "chrome100" } as const;

/**
 * The sources minified by esbuild (its transform, no bundling: each file stays the script it is,
 * its top-level names intact), by file name.
 *
 * The result is kept in the build cache folder (bundle/build-cache.ts) under a hash of esbuild's
 * version, the options and every source, so an edited file is minified again and an unchanged one
 * never. An unreadable or malformed entry is minified again and rewritten. An entry (about 30 KB)
 * is written only when a source changed and, like Node's own, never pruned. Measured with
 * `npm run bench:ab` against minifying at each start, same run: start-up to /readyz 734 -> 622 ms
 * (median of 8), idle RSS 95.4 -> 93.3 MiB, webhook throughput the same (1.02x).
 *
 * esbuild's asynchronous API runs its service as a child process, stopped once done; the
 * synchronous one left a worker thread in the app for good (measured: idle RSS +14 MiB).
 */
export async function minifyAssets(files: readonly AssetSource[], cacheDir = buildCacheDir()): Promise<Map<string, string>> {
  const hash = createHash("sha256").update(JSON.stringify([ESBUILD_VERSION, TARGETS, files])).digest("base64url");
  const file = join(cacheDir, `mousestats-page-assets-${hash}.json`);
  const cached = await readCached(file, files);
  if (cached) return cached;

  const minified = await minifyWithEsbuild(files);
  // A cache that cannot be written only costs the next start.
  await mkdir(cacheDir, { recursive: true, mode: 0o700 })
    .then(() => writeFileWhole(file, JSON.stringify(Object.fromEntries(minified))))
    .catch(() => undefined);
  return minified;
}

async function readCached(file: string, files: readonly AssetSource[]): Promise<Map<string, string> | undefined> {
  try {
    const entries: unknown = JSON.parse(await readFile(file, "utf8"));
    if (typeof entries !== "object" || entries === null) return undefined;
    const byName = new Map(Object.entries(entries));
    const complete = byName.size === files.length && files.every(({ name }) => typeof byName.get(name) === "string");
    return complete ? byName as Map<string, string> : undefined;
  } catch {
    return undefined;
  }
}

async function minifyWithEsbuild(files: readonly AssetSource[]): Promise<Map<string, string>> {
  // Loaded only on a cache miss: importing it costs start-up time too.
  const { stop, transform } = await import("esbuild");
  try {
    const codes = await Promise.all(files.map(({ loader, source }) =>
      transform(source, { loader, minify: true, target: TARGETS[loader], legalComments: "none" })));
    return new Map(files.map(({ name }, i) => [name, codes[i]!.code]));
  } finally {
    await stop();
  }
}
