import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { minifyAssets, type AssetSource } from "./minified-assets.ts";

const SOURCES: AssetSource[] = [
  { name: "a.js", loader: "js", source: "/** A comment. */\nfunction greet(name) {\n  return `Hello, ${name}`;\n}\n" },
  { name: "b.css", loader: "css", source: "/* note */\nbody {\n  color: #ff0000;\n}\n" },
];

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "minified-assets-")); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const cacheFiles = () => readdirSync(dir).filter((f) => f.startsWith("mousestats-page-assets-"));

describe("minifyAssets", () => {
  it("minifies each source with esbuild", async () => {
    const minified = await minifyAssets(SOURCES, dir);
    expect(minified.get("a.js")).toBe("function greet(e){return`Hello, ${e}`}\n");
    expect(minified.get("b.css")).toBe("body{color:red}\n");
    expect([...minified.keys()]).toEqual(["a.js", "b.css"]);
  });

  it("keeps the result in the cache folder, and the next start reads it from there instead of minifying", async () => {
    const first = await minifyAssets(SOURCES, dir);
    expect(cacheFiles()).toHaveLength(1);
    const file = join(dir, cacheFiles()[0]!);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(Object.fromEntries(first));
    // A marker only the cache can hold: if this comes back, esbuild did not run.
    writeFileSync(file, JSON.stringify({ "a.js": "cached();", "b.css": "cached{}" }));
    const second = await minifyAssets(SOURCES, dir);
    expect(second.get("a.js")).toBe("cached();");
    expect(second.get("b.css")).toBe("cached{}");
  });

  it("minifies an edited source again, under a new entry", async () => {
    await minifyAssets(SOURCES, dir);
    const edited = [{ ...SOURCES[0]!, source: "function greet(name) { return name; }" }, SOURCES[1]!];
    const minified = await minifyAssets(edited, dir);
    expect(minified.get("a.js")).toBe("function greet(e){return e}\n");
    expect(cacheFiles()).toHaveLength(2);
  });

  it.each([
    ["not JSON", "{\"a.js\": \"trunc"],
    ["a file missing", JSON.stringify({ "a.js": "x();" })],
    ["a file that is not text", JSON.stringify({ "a.js": "x();", "b.css": 42 })],
    ["not an object", "null"],
  ])("minifies again, and rewrites the entry, when it is %s", async (_what, content) => {
    const expected = await minifyAssets(SOURCES, join(dir, "another-cache"));
    await minifyAssets(SOURCES, dir);
    const file = join(dir, cacheFiles()[0]!);
    writeFileSync(file, content);
    expect(await minifyAssets(SOURCES, dir)).toEqual(expected);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(Object.fromEntries(expected));
  });

  it("makes a cache folder that is not there yet", async () => {
    const missing = join(dir, "no-such-folder");
    await minifyAssets(SOURCES, missing);
    expect(readdirSync(missing).filter((f) => f.startsWith("mousestats-page-assets-"))).toHaveLength(1);
  });

  it("still minifies when the cache folder cannot be made, and leaves no temporary file", async () => {
    writeFileSync(join(dir, "a-file"), "");
    expect((await minifyAssets(SOURCES, join(dir, "a-file", "cache"))).get("b.css")).toBe("body{color:red}\n");
    expect(readdirSync(dir)).toEqual(["a-file"]);
  });
});
