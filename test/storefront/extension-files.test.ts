import { readdirSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { SITE_ID_PATTERN } from "../../src/tracking/site-id.ts";
import { EMBED_BLOCK_HANDLE, EXTENSION_NAME, SITE_ID_ATTRIBUTE, SITE_ID_METAFIELD } from "../../src/tracking/tracking-embed.ts";
import { minifiedSize } from "./minified-size.ts";

/*
 * The theme app extension is deployed by the Shopify CLI, not run by this app: these checks keep
 * its files in step with the constants the API and the page use, and the loader within budget.
 */

const dir = new URL(`../../extensions/${EXTENSION_NAME}/`, import.meta.url);
const read = (path: string) => readFileSync(new URL(path, dir), "utf8");
const LOADER_BUDGET_BYTES = 1536;

describe("theme app extension files", () => {
  it("declares a theme extension named after its folder", () => {
    const toml = read("shopify.extension.toml");
    expect(toml).toMatch(new RegExp(`^name = "${EXTENSION_NAME}"$`, "m"));
    expect(toml).toMatch(/^type = "theme"$/m);
  });

  it("has one app embed block, named by the deep link's handle, targeting head", () => {
    expect(readdirSync(new URL("blocks/", dir))).toEqual([`${EMBED_BLOCK_HANDLE}.liquid`]);
    const liquid = read(`blocks/${EMBED_BLOCK_HANDLE}.liquid`);
    const schema = JSON.parse(/\{%\s*schema\s*%\}([\s\S]*?)\{%\s*endschema\s*%\}/.exec(liquid)![1]!) as { name: string; target: string };
    expect(schema.target).toBe("head");
    expect(schema.name).toMatch(/^t:/);
  });

  it("reads the site ID from the app-data metafield and renders it escaped into the loader's attribute", () => {
    const liquid = read(`blocks/${EMBED_BLOCK_HANDLE}.liquid`);
    expect(liquid).toContain(`app.metafields.${SITE_ID_METAFIELD.namespace}.${SITE_ID_METAFIELD.key}.value`);
    expect(liquid).toMatch(new RegExp(`<script src="\\{\\{ 'loader.js' \\| asset_url \\}\\}" ${SITE_ID_ATTRIBUTE}="\\{\\{ mousestats_site_id \\| escape \\}\\}" defer></script>`));
    // Nothing at all without an ID, and nothing in the theme editor's preview.
    expect(liquid).toMatch(/\{%-? unless request\.design_mode or mousestats_site_id == blank -?%\}/);
  });

  it("translates every t: key the schema uses", () => {
    const liquid = read(`blocks/${EMBED_BLOCK_HANDLE}.liquid`);
    const locale = JSON.parse(read("locales/en.default.schema.json")) as Record<string, unknown>;
    const keys = [...liquid.matchAll(/"t:([\w.]+)"/g)].map((m) => m[1]!);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      const value = key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], locale);
      expect(typeof value, key).toBe("string");
    }
    const name = (locale.embed as { name: string }).name;
    expect(name.length).toBeLessThanOrEqual(25); // Shopify's limit for a block name
  });

  it.each(["fr", "de", "es"])("translates the schema into %s, the page's languages, key for key", (lang) => {
    const shape = (node: unknown): unknown => (typeof node === "object" && node !== null
      ? Object.fromEntries(Object.entries(node).map(([k, v]) => [k, shape(v)])) : typeof node);
    const english = JSON.parse(read("locales/en.default.schema.json")) as Record<string, unknown>;
    const translated = JSON.parse(read(`locales/${lang}.schema.json`)) as Record<string, unknown>;
    expect(shape(translated)).toEqual(shape(english));
    const about = (t: Record<string, unknown>) => ((t.embed as { settings: { about: { content: string } } }).settings.about.content);
    expect(about(translated)).not.toBe(about(english));
  });

  it("the loader accepts exactly the site IDs the API accepts, and reads the block's attribute", () => {
    const loader = read("assets/loader.js");
    expect(loader).toContain(`/${SITE_ID_PATTERN.source}/.test(`);
    expect(loader).toContain(`"${SITE_ID_ATTRIBUTE}"`);
    expect(loader).toContain('"__mstrkscpt"');
  });

  it(`the loader stays under ${LOADER_BUDGET_BYTES} bytes as shipped`, () => {
    const source = read("assets/loader.js");
    const sizes = {
      raw: Buffer.byteLength(source),
      minified: minifiedSize(source),
      gzip: gzipSync(source, { level: 9 }).length,
    };
    console.info(`loader.js: ${sizes.raw} B as shipped, ${sizes.minified} B without comments and whitespace, ${sizes.gzip} B gzip`);
    expect(sizes.raw).toBeLessThan(LOADER_BUDGET_BYTES);
    expect(sizes.minified).toBeLessThan(sizes.raw);
    expect(sizes.gzip).toBeLessThan(800);
  });
});
