/**
 * `npm start` runs the app from one esbuild bundle of src/main.ts and its dependencies, built
 * on the first start and again only when one of its input files changed.
 *
 * Why: Node's loader spends most of a start resolving, reading and linking the 536 modules the
 * server imports one by one, and keeps each one's source. Measured with `npm run bench:ab`
 * against the modules as they are, same run: start-up to /readyz 929 -> 641 ms (median of 8, on
 * a slow moment of this machine), idle RSS 94.0 -> 85.7 MiB, webhook throughput the same
 * (1.01x). The bundle is split: code imported with `import()` (the Shopify library, PostgreSQL,
 * the simulator) stays in chunks loaded when first used.
 *
 * Tests and scripts import the sources directly; only processes started by src/start.js run the
 * bundle, and the flow tests start the app that way.
 */
import { createHash, randomUUID } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BuildOptions, Plugin } from "esbuild";
import { buildCacheDir, ESBUILD_VERSION, writeFileWhole } from "./build-cache.ts";

/** This checkout: the folder with package.json, src/ and node_modules/. */
const CHECKOUT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Loaded from the checkout's node_modules when the bundle runs, never bundled: native addons
 * and a Go binary (better-sqlite3, esbuild), and PostgreSQL's driver and queue (pg may load
 * the optional native addon pg-native; graphile-worker starts its own worker code).
 */
const EXTERNAL_PACKAGES = ["better-sqlite3", "esbuild", "pg", "graphile-worker"] as const;

/** Bundles older than this are removed when a new one is written; a process started from one may still load a chunk from it. */
const STALE_BUNDLE_MS = 7 * 24 * 3_600_000;

export interface BundleLocation {
  /** The checkout whose src/main.ts is bundled. */
  checkout?: string;
  /** The folder bundles are kept in. @default buildCacheDir() */
  cacheDir?: string;
}

export interface BundleResult {
  /** file: URL of the bundle's entry. */
  entry: string;
  /** Whether esbuild ran (an input changed, or no bundle was there). */
  built: boolean;
}

/** What a bundle was built from: each input file with its size and modification time then. */
interface Manifest {
  folder: string;
  inputs: Array<[path: string, size: number, mtimeMs: number]>;
}

/** The bundle could not be built or written; `message` is one line. */
export class BundleError extends Error {
  constructor(folder: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message.replace(/\s*\n\s*/g, " ") : String(cause);
    const hint = (cause as { code?: unknown } | null)?.code ? "; set NODE_COMPILE_CACHE to a folder this user can write" : "";
    super(`Cannot prepare the app's bundle in ${folder}: ${reason}${hint}`, { cause });
    this.name = "BundleError";
  }
}

/** Starts the app: imports the bundle of src/main.ts, built first if needed. A bundle that cannot be made ends the start with one line. */
export async function runBundledMain(location: BundleLocation = {}): Promise<void> {
  const bundle = await ensureBundle(location).catch((err: unknown) => {
    if (!(err instanceof BundleError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  });
  await import(bundle.entry);
}

/** The bundle of `checkout`'s src/main.ts, up to date with every file it was built from. */
export async function ensureBundle(location: BundleLocation = {}): Promise<BundleResult> {
  const checkout = resolve(location.checkout ?? CHECKOUT);
  const cacheDir = location.cacheDir ?? buildCacheDir();
  // One checkout, one Node.js, one esbuild and this file's build options: one bundle at a time.
  const builder = await readFile(fileURLToPath(import.meta.url), "utf8");
  const key = createHash("sha256").update(JSON.stringify([checkout, process.versions.node, ESBUILD_VERSION, builder])).digest("base64url").slice(0, 16);
  const root = join(cacheDir, "mousestats-app-bundles");
  const manifestFile = join(root, `${key}.json`);

  const manifest = await readManifest(manifestFile);
  if (manifest && unchanged(manifest, checkout, join(root, manifest.folder, "main.mjs"))) {
    return { entry: pathToFileURL(join(root, manifest.folder, "main.mjs")).href, built: false };
  }
  const folder = `${key}-${Date.now()}-${randomUUID().slice(0, 8)}`;
  try {
    await mkdir(root, { recursive: true, mode: 0o700 });
    const buildStarted = Date.now();
    const inputs = await buildBundle(checkout, join(root, folder));
    // A file changed while esbuild ran (or in the second before) may be in the bundle as it was
    // before: recorded as never matching, so the next start builds again.
    const fingerprints = watchedFiles(checkout, inputs).map((path) => fingerprint(checkout, path))
      .map(([path, size, mtimeMs]): Manifest["inputs"][number] => [path, size, mtimeMs >= buildStarted - 1_000 ? -1 : mtimeMs]);
    await writeFileWhole(manifestFile, JSON.stringify({ folder, inputs: fingerprints } satisfies Manifest));
  } catch (err) {
    await rm(join(root, folder), { recursive: true, force: true }).catch(() => undefined);
    throw new BundleError(root, err);
  }
  // Tidying only: a bundle it cannot remove does not stop the start.
  await removeStaleBundles(root, key, folder).catch(() => undefined);
  return { entry: pathToFileURL(join(root, folder, "main.mjs")).href, built: true };
}

async function readManifest(file: string): Promise<Manifest | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, "utf8")) as Partial<Manifest>;
    const wellFormed = typeof parsed.folder === "string" && /^[\w-]+$/.test(parsed.folder) && Array.isArray(parsed.inputs) &&
      parsed.inputs.length > 0 && parsed.inputs.every((input) => Array.isArray(input) && input.length === 3 &&
        typeof input[0] === "string" && typeof input[1] === "number" && typeof input[2] === "number");
    return wellFormed ? parsed as Manifest : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every input has the size and modification time it had when the bundle was built, and the
 * bundle is still there. Synchronous: nothing else runs yet, and the stats through the thread
 * pool took longer (this check: 48-59 ms with fs/promises, 30-45 ms synchronous, 700 files).
 */
function unchanged(manifest: Manifest, checkout: string, entry: string): boolean {
  if (!existsSync(entry)) return false;
  return manifest.inputs.every(([path, size, mtimeMs]) => {
    const now = statSync(join(checkout, path), { throwIfNoEntry: false });
    return now?.size === size && now.mtimeMs === mtimeMs;
  });
}

/**
 * The files whose change makes a new bundle: every input, but the packages' files stand for one,
 * npm's record of what it installed (node_modules/.package-lock.json, rewritten by every
 * `npm install` and `npm ci`). Measured: 700 stats took 20 ms of each start, 90 take 3.
 */
function watchedFiles(checkout: string, inputs: readonly string[]): string[] {
  const installed = "node_modules/.package-lock.json";
  if (!existsSync(join(checkout, installed))) return [...inputs];
  // A symlinked node_modules (a git worktree's) gives its files' real paths: "../…/node_modules/…".
  return [...inputs.filter((path) => !/(^|\/)node_modules\//.test(path)), installed];
}

function fingerprint(checkout: string, path: string): [string, number, number] {
  const { size, mtimeMs } = statSync(join(checkout, path));
  return [path, size, mtimeMs];
}

async function removeStaleBundles(root: string, key: string, current: string): Promise<void> {
  const now = Date.now();
  for (const name of await readdir(root)) {
    if (!name.startsWith(`${key}-`) || name === current || name.endsWith(".tmp")) continue;
    const folder = join(root, name);
    const { mtimeMs } = await stat(folder).catch(() => ({ mtimeMs: now }));
    if (now - mtimeMs > STALE_BUNDLE_MS) await rm(folder, { recursive: true, force: true });
  }
}

/** Bundles `checkout`/src/main.ts into `outdir`; returns the input files, relative to the checkout. */
async function buildBundle(checkout: string, outdir: string): Promise<string[]> {
  // Loaded only when a bundle is built.
  const esbuild = await import("esbuild");
  try {
    const result = await esbuild.build(bundleOptions(checkout, outdir));
    return Object.keys(result.metafile!.inputs).filter((input) => !input.includes(":"));
  } finally {
    await esbuild.stop();
  }
}

function bundleOptions(checkout: string, outdir: string): BuildOptions & { metafile: true } {
  return {
    absWorkingDir: checkout,
    entryPoints: { main: "src/main.ts" },
    outdir,
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunk-[hash]",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: `node${process.versions.node.split(".")[0]}`,
    metafile: true,
    logLevel: "silent",
    // CommonJS code in the bundle calls require(): the checkout's, so it finds what the checkout has.
    banner: { js: `import { createRequire as __createRequire } from "node:module"; const require = __createRequire(${JSON.stringify(pathToFileURL(join(checkout, "package.json")).href)});` },
    plugins: [sourcesWhereTheyAre(checkout), externalsFromTheCheckout()],
  };
}

/**
 * `const { a, b } = requireCjs("x") as typeof X;`: for Node's loader, a package loaded from its
 * CommonJS build (db/drizzle.ts says why); bundled as `import { a, b } from "x"` (and `export const`
 * as `export { … } from`), so esbuild keeps only what is used. Measured against bundling the
 * CommonJS build, alternated 10 times: start-up to /readyz 393 -> 348 ms, idle RSS 83.5 -> 82 MiB.
 */
const REQUIRE_CJS = /^(export )?const \{([^}]+)\}\s*=\s*requireCjs\("([^"]+)"\) as typeof [^;]+;$/gm;

/**
 * Our sources find their files (page assets, locales, migrations) through `import.meta.url`:
 * each keeps its own file's URL in the bundle. `requireCjs` is bundled as above; any other use of
 * it fails the build.
 */
function sourcesWhereTheyAre(checkout: string): Plugin {
  const src = join(checkout, "src") + sep;
  return {
    name: "sources-where-they-are",
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async ({ path }) => {
        if (!path.startsWith(src)) return undefined;
        const source = await readFile(path, "utf8");
        const contents = source
          .replace(/^const requireCjs = .*$/m, "")
          .replace(REQUIRE_CJS, (_, exported: string | undefined, names: string, from: string) => `${exported ? "export" : "import"} {${names}} from ${JSON.stringify(from)};`)
          .replaceAll("import.meta.url", JSON.stringify(pathToFileURL(path).href))
          .replaceAll("import.meta.filename", JSON.stringify(path))
          .replaceAll("import.meta.dirname", JSON.stringify(dirname(path)));
        if (contents.includes("requireCjs(")) {
          return { errors: [{ text: `requireCjs is bundled only as "const { … } = requireCjs('package') as typeof X;": ${path}` }] };
        }
        return { contents, loader: "ts" };
      });
    },
  };
}

/** The external packages are loaded from the checkout by their absolute path: the bundle lives elsewhere. */
function externalsFromTheCheckout(): Plugin {
  const names = EXTERNAL_PACKAGES.map((name) => name.replace(/[-/]/g, "\\$&")).join("|");
  return {
    name: "externals-from-the-checkout",
    setup(build) {
      build.onResolve({ filter: new RegExp(`^(${names})(/.*)?$`) }, async ({ path, kind, resolveDir, pluginData }) => {
        if (pluginData === "resolving") return undefined;
        const resolved = await build.resolve(path, { kind, resolveDir, pluginData: "resolving" });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        // An absolute path: `import` reads it as a file: URL, `require()` as the path it is.
        return { path: resolved.path, external: true };
      });
    },
  };
}
