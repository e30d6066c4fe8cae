import { describe, expect, it } from "vitest";
import { loadPageAssets, PAGE_ASSET_TYPES } from "./page-assets.ts";

describe("loadPageAssets", () => {
  it("serves the scripts and stylesheets minified, and settles for callers at once (two servers in one process)", async () => {
    // Each load used to stop esbuild's service under the other's transforms: both then hung.
    const [a, b] = await Promise.race([
      Promise.all([loadPageAssets(), loadPageAssets()]),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("loadPageAssets did not settle within 10 s")), 10_000)),
    ]);
    expect(b).toBe(a);
    for (const name of Object.keys(PAGE_ASSET_TYPES)) expect(a[name as keyof typeof PAGE_ASSET_TYPES].bytes).toBeGreaterThan(0);
    // Minified: no comment and no indented line survives.
    expect(a["app.js"].body).not.toMatch(/\/\*\*|\n {2}/);
    expect(a["app.css"].body).not.toMatch(/\/\*|\n {2}/);
  });
});
