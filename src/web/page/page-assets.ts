import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Context } from "hono";

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

export const PAGE_ASSET_TYPES = {
  "views.js": "text/javascript; charset=utf-8",
  "tracking.js": "text/javascript; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "app.css": "text/css; charset=utf-8",
} as const;

export type PageAssetName = keyof typeof PAGE_ASSET_TYPES;
export type PageAssets = Record<PageAssetName, PageAsset>;

/** Browsers may reuse an asset for 5 minutes, then revalidate it with its ETag. */
export const PAGE_ASSET_CACHE_CONTROL = "public, max-age=300";

const DEFAULT_ASSET_DIR = new URL("./assets/", import.meta.url);

/** Reads `views.js`, `tracking.js`, `app.js` and `app.css` from `src/web/page/assets/` (once, at start-up). */
export function loadPageAssets(dir: URL = DEFAULT_ASSET_DIR): PageAssets {
  const load = (name: PageAssetName): PageAsset => {
    const body = readFileSync(new URL(name, dir), "utf8");
    const hash = createHash("sha256").update(body).digest("base64url");
    return {
      body,
      contentType: PAGE_ASSET_TYPES[name],
      etag: `"${hash.slice(0, 27)}"`,
      version: hash.slice(0, 10),
      bytes: Buffer.byteLength(body),
    };
  };
  return { "views.js": load("views.js"), "tracking.js": load("tracking.js"), "app.js": load("app.js"), "app.css": load("app.css") };
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
