import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Context } from "hono";
import { PAGE_LANGUAGES } from "./page-locale.ts";
import { minifyAssets, type AssetSource } from "./minified-assets.ts";
import { loadPageMessages, messagesFor } from "./page-messages.ts";

/** One of the page's own static files, read once and kept in memory. */
export interface PageAsset {
  body: string;
  contentType: string;
  /** Strong validator: a quoted hash of the body. */
  etag: string;
  /** Short content hash, for cache-busting query strings. */
  version: string;
  bytes: number;
}

const JS = "text/javascript; charset=utf-8";

/** The page's scripts in the order the page loads them (each one uses those before it). */
export const PAGE_SCRIPTS = ["i18n.js", "views.js", "checklist.js", "tracking.js", "app.js"] as const;

export const PAGE_ASSET_TYPES = {
  ...Object.fromEntries(PAGE_SCRIPTS.map((name) => [name, JS])) as Record<(typeof PAGE_SCRIPTS)[number], string>,
  "app.css": "text/css; charset=utf-8",
  "fallback.css": "text/css; charset=utf-8",
  "fallback.js": JS,
  "favicon.svg": "image/svg+xml",
} as const;

export type PageAssetName = keyof typeof PAGE_ASSET_TYPES;
/** The files above, and `messages/<lang>.js` for each language. */
export type PageAssets = Record<PageAssetName, PageAsset> & Record<`messages/${string}.js`, PageAsset>;

/** Browsers may reuse an asset for 5 minutes, then revalidate it with its ETag. */
export const PAGE_ASSET_CACHE_CONTROL = "public, max-age=300";

const ASSET_DIR = new URL("./assets/", import.meta.url);

function asset(body: string, contentType: string): PageAsset {
  const hash = createHash("sha256").update(body).digest("base64url");
  return { body, contentType, etag: `"${hash.slice(0, 27)}"`, version: hash.slice(0, 10), bytes: Buffer.byteLength(body) };
}

/**
 * Reads the page's files from `src/web/page/assets/` and the messages from `locales/` (once, at
 * start-up). The scripts and stylesheets are served minified (minified-assets.ts): the sources
 * keep their comments and JSDoc types for `npm run typecheck`, the merchant's browser gets
 * neither, and the page fits issue 13's 40 KB budget.
 *
 * One load per process: every caller gets the same files, and a second load could otherwise stop
 * esbuild's service under the first one's transforms (they then never settle).
 */
export function loadPageAssets(): Promise<PageAssets> {
  return (loaded ??= readAndMinify());
}

let loaded: Promise<PageAssets> | undefined;

async function readAndMinify(): Promise<PageAssets> {
  const files = await Promise.all(Object.entries(PAGE_ASSET_TYPES).map(async ([name, contentType]) => {
    const source = await readFile(new URL(name, ASSET_DIR), "utf8");
    const loader = name.endsWith(".js") ? "js" as const : name.endsWith(".css") ? "css" as const : undefined;
    return { name, contentType, source, loader };
  }));
  const minified = await minifyAssets(files.flatMap(({ name, loader, source }): AssetSource[] => (loader ? [{ name, loader, source }] : [])));
  const assets: Record<string, PageAsset> = {};
  for (const { name, contentType, source } of files) assets[name] = asset(minified.get(name) ?? source, contentType);
  const all = loadPageMessages();
  for (const lang of PAGE_LANGUAGES) {
    assets[`messages/${lang}.js`] = asset(`window.HeatmapsMessages=${JSON.stringify(messagesFor(all, lang))};\n`, JS);
  }
  return assets as PageAssets;
}

/** Answers with the asset, or 304 when the browser already holds this version. */
export function serveAsset(c: Context, asset: PageAsset): Response {
  const headers = {
    ETag: asset.etag,
    "Cache-Control": PAGE_ASSET_CACHE_CONTROL,
    "X-Content-Type-Options": "nosniff",
  };
  if (etagMatches(c.req.header("if-none-match"), asset.etag)) {
    return c.body(null, 304, headers);
  }
  return c.body(asset.body, 200, { ...headers, "Content-Type": asset.contentType });
}

/** `If-None-Match` is a list of (possibly weak) tags, or `*`; GET compares weakly (RFC 9110 §13.1.2). */
function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}
