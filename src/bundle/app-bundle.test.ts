import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ensureBundle } from "./app-bundle.ts";

const NODE_MODULES = fileURLToPath(new URL("../../node_modules", import.meta.url));
const run = promisify(execFile);

/** A checkout of its own: src/main.ts prints what the bundled code saw; node_modules is this one's. */
function makeCheckout(): { checkout: string; cacheDir: string; write(path: string, text: string, mtime?: Date): void } {
  const base = mkdtempSync(join(tmpdir(), "app-bundle-"));
  const checkout = join(base, "checkout");
  const cacheDir = join(base, "cache");
  // Written a minute ago: a file changed in the second before a build is not trusted (see below).
  const write = (path: string, text: string, mtime = new Date(Date.now() - 60_000)) => {
    mkdirSync(dirname(join(checkout, path)), { recursive: true });
    writeFileSync(join(checkout, path), text);
    utimesSync(join(checkout, path), mtime, mtime);
  };
  write("package.json", JSON.stringify({ type: "module" }));
  // This project's packages, each linked, with an install record of the fixture's own.
  mkdirSync(join(checkout, "node_modules"), { recursive: true });
  for (const name of readdirSync(NODE_MODULES).filter((n) => !n.startsWith("."))) symlinkSync(join(NODE_MODULES, name), join(checkout, "node_modules", name));
  write("node_modules/.package-lock.json", "{}");
  write("src/value.ts", `export const value: string = "first";\n`);
  write("src/files/data.txt", "read beside its module");
  write("src/files/read-data.ts", [
    `import { readFileSync } from "node:fs";`,
    `export const data = readFileSync(new URL("./data.txt", import.meta.url), "utf8");`,
    `export const here = import.meta.filename;`,
  ].join("\n"));
  write("src/main.ts", [
    `import Database from "better-sqlite3";`,
    `import { value } from "./value.ts";`,
    `import { data, here } from "./files/read-data.ts";`,
    `import { eq } from "./drizzle-values.ts";`,
    `const sqlite = new Database(":memory:").prepare("select 40 + 2 as n").get() as { n: number };`,
    `const lazy = await import("./lazy.ts");`,
    `console.log(JSON.stringify({ value, data, here, sqlite: sqlite.n, eq: typeof eq, lazy: lazy.lazy }));`,
  ].join("\n"));
  write("src/lazy.ts", `export const lazy = "loaded when imported";\n`);
  write("src/drizzle-values.ts", [
    `import { createRequire } from "node:module";`,
    `const requireCjs = createRequire(import.meta.url);`,
    `export const { eq } = requireCjs("drizzle-orm") as typeof import("drizzle-orm");`,
  ].join("\n"));
  return { checkout, cacheDir, write };
}

async function runEntry(entry: string): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [fileURLToPath(entry)]);
  return JSON.parse(stdout) as Record<string, unknown>;
}

const bundlesIn = (cacheDir: string) => readdirSync(join(cacheDir, "mousestats-app-bundles")).filter((name) => !name.endsWith(".json")).sort();

describe("the app's bundle", () => {
  let fixture: ReturnType<typeof makeCheckout>;
  beforeEach(() => {
    fixture = makeCheckout();
  });
  afterEach(() => rmSync(dirname(fixture.checkout), { recursive: true, force: true }));

  it("runs the sources as they are: files beside a module, a package from the checkout, requireCjs as an import, a lazy chunk", async () => {
    const { checkout, cacheDir } = fixture;
    const bundle = await ensureBundle({ checkout, cacheDir });
    expect(bundle.built).toBe(true);
    expect(fileURLToPath(bundle.entry).startsWith(cacheDir)).toBe(true);
    expect(await runEntry(bundle.entry)).toEqual({
      value: "first", data: "read beside its module", here: join(checkout, "src/files/read-data.ts"),
      sqlite: 42, eq: "function", lazy: "loaded when imported",
    });
    const files = readdirSync(dirname(fileURLToPath(bundle.entry)));
    const code = files.map((file) => readFileSync(join(dirname(fileURLToPath(bundle.entry)), file), "utf8")).join("\n");
    // What requireCjs loads is bundled from its ES modules; better-sqlite3 (native) is loaded from the checkout.
    expect(code).toContain("node_modules/drizzle-orm/sql/expressions/conditions.js");
    expect(code).not.toContain("drizzle-orm/index.cjs");
    expect(code).not.toContain("requireCjs");
    expect(code).toContain(JSON.stringify(join(NODE_MODULES, "better-sqlite3/lib/index.js")));
    expect(files.length).toBeGreaterThan(1);
  });

  it("is built once, then reused until one of its sources changes", async () => {
    const { checkout, cacheDir, write } = fixture;
    const first = await ensureBundle({ checkout, cacheDir });
    const again = await ensureBundle({ checkout, cacheDir });
    expect(again).toEqual({ entry: first.entry, built: false });

    write("src/value.ts", `export const value: string = "second";\n`);
    const edited = await ensureBundle({ checkout, cacheDir });
    expect(edited.built).toBe(true);
    expect(edited.entry).not.toBe(first.entry);
    expect(await runEntry(edited.entry)).toMatchObject({ value: "second" });
    // The bundle a running process came from stays: it may still load a chunk from it.
    expect(bundlesIn(cacheDir)).toHaveLength(2);
  });

  it("an npm install (its record of what it installed rewritten) makes a new bundle", async () => {
    const { checkout, cacheDir, write } = fixture;
    await ensureBundle({ checkout, cacheDir });
    // It stands for every package file (linked ones too): one stat instead of hundreds at each start.
    const root = join(cacheDir, "mousestats-app-bundles");
    const record = JSON.parse(readFileSync(join(root, readdirSync(root).find((n) => n.endsWith(".json"))!), "utf8")) as { inputs: string[][] };
    expect(record.inputs.map(([path]) => path).filter((path) => path!.includes("node_modules"))).toEqual(["node_modules/.package-lock.json"]);
    write("node_modules/.package-lock.json", `{"installed":"again"}`, new Date(Date.now() - 30_000));
    expect((await ensureBundle({ checkout, cacheDir })).built).toBe(true);
    expect((await ensureBundle({ checkout, cacheDir })).built).toBe(false);
  });

  it("notices an edit that keeps the file's size", async () => {
    const { checkout, cacheDir, write } = fixture;
    await ensureBundle({ checkout, cacheDir });
    write("src/value.ts", `export const value: string = "third";\n`, new Date());
    const edited = await ensureBundle({ checkout, cacheDir });
    expect(edited.built).toBe(true);
    expect(await runEntry(edited.entry)).toMatchObject({ value: "third" });
  });

  it("a source changed just before or while it was built: built once more at the next start", async () => {
    const { checkout, cacheDir, write } = fixture;
    write("src/value.ts", `export const value: string = "fresh";\n`, new Date());
    expect((await ensureBundle({ checkout, cacheDir })).built).toBe(true);
    expect((await ensureBundle({ checkout, cacheDir })).built).toBe(true);
  });

  it("builds again when its record is malformed or its bundle was removed", async () => {
    const { checkout, cacheDir } = fixture;
    const first = await ensureBundle({ checkout, cacheDir });
    const root = join(cacheDir, "mousestats-app-bundles");
    const [record] = readdirSync(root).filter((name) => name.endsWith(".json"));
    for (const malformed of ["", "{", "[]", `{"folder":"../elsewhere","inputs":[["src/main.ts",1,1]]}`, `{"folder":"x","inputs":[]}`]) {
      writeFileSync(join(root, record!), malformed);
      expect((await ensureBundle({ checkout, cacheDir })).built).toBe(true);
    }
    const current = await ensureBundle({ checkout, cacheDir });
    expect(current.built).toBe(false);
    rmSync(dirname(fileURLToPath(current.entry)), { recursive: true });
    const rebuilt = await ensureBundle({ checkout, cacheDir });
    expect(rebuilt.built).toBe(true);
    expect(await runEntry(rebuilt.entry)).toMatchObject({ value: "first" });
    expect(first.entry).not.toBe(rebuilt.entry);
  });

  it("removes this checkout's bundles older than a week when it writes a new one", async () => {
    const { checkout, cacheDir, write } = fixture;
    const old = await ensureBundle({ checkout, cacheDir });
    const oldFolder = dirname(fileURLToPath(old.entry));
    const weekAgo = new Date(Date.now() - 8 * 24 * 3_600_000);
    utimesSync(oldFolder, weekAgo, weekAgo);
    write("src/value.ts", `export const value: string = "fourth";\n`);
    const recent = await ensureBundle({ checkout, cacheDir });
    write("src/value.ts", `export const value: string = "fifth!";\n`);
    const newest = await ensureBundle({ checkout, cacheDir });
    expect(bundlesIn(cacheDir)).toEqual([dirname(fileURLToPath(recent.entry)), dirname(fileURLToPath(newest.entry))].map((f) => f.split("/").at(-1)).sort());
  });

  it("a source that does not compile: the build fails naming it, and leaves nothing behind", async () => {
    const { checkout, cacheDir, write } = fixture;
    write("src/value.ts", `export const value: string = ;\n`);
    await expect(ensureBundle({ checkout, cacheDir })).rejects.toThrow(/src\/value\.ts:1:\d+: ERROR/);
    expect(bundlesIn(cacheDir)).toEqual([]);
  });

  it("requireCjs in any other form: the build fails saying which form it bundles", async () => {
    const { checkout, cacheDir, write } = fixture;
    write("src/drizzle-values.ts", [
      `import { createRequire } from "node:module";`,
      `const requireCjs = createRequire(import.meta.url);`,
      `export const eq = (requireCjs("drizzle-orm") as typeof import("drizzle-orm")).eq;`,
    ].join("\n"));
    await expect(ensureBundle({ checkout, cacheDir })).rejects.toThrow(/requireCjs is bundled only as .*drizzle-values\.ts/);
  });

  it("two processes starting at once on an empty cache both get a bundle that runs", async () => {
    const { checkout, cacheDir } = fixture;
    const script = `const { ensureBundle } = await import(${JSON.stringify(new URL("./app-bundle.ts", import.meta.url).href)});` +
      `console.log((await ensureBundle(${JSON.stringify({ checkout, cacheDir })})).entry);`;
    const starts = await Promise.all([1, 2].map(() => run(process.execPath, ["--input-type=module", "-e", script])));
    for (const { stdout } of starts) expect(await runEntry(stdout.trim())).toMatchObject({ value: "first" });
    expect((await ensureBundle({ checkout, cacheDir })).built).toBe(false);
  });
});
