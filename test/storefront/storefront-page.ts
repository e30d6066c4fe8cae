import { readFileSync } from "node:fs";
import type { BrowserContext } from "playwright-core";
import { EXTENSION_NAME, SITE_ID_ATTRIBUTE } from "../../src/tracking/tracking-embed.ts";

export const STOREFRONT_URL = "https://demo-shop.myshopify.com/";
// Where `{{ 'loader.js' | asset_url }}` points for a theme app extension.
export const LOADER_URL = "https://cdn.shopify.com/extensions/0000-test/assets/loader.js";
const LOADER_SOURCE = readFileSync(new URL(`../../extensions/${EXTENSION_NAME}/assets/loader.js`, import.meta.url), "utf8");

export interface StorefrontOptions {
  /** The value the block renders into the attribute; `undefined` renders no loader tag at all. */
  siteId?: string | undefined;
  /** What `analyticsProcessingAllowed()` answers once the API has loaded. */
  analyticsAllowed?: boolean;
  /** `false`: a page without `window.Shopify` (no Customer Privacy API). */
  privacyApi?: boolean;
  /** How many times the loader tag appears (a theme that renders it twice). */
  loaderTags?: number;
  /** Markup at the end of `<body>`, e.g. MouseStats' own snippet element. */
  extraBody?: string;
}

/**
 * A storefront page as Shopify renders it with the app embed on: `content_for_header` first
 * (here a fake `Shopify.loadFeatures` / `customerPrivacy`, answering asynchronously like the
 * real one), then the block's `<script … defer>`. `window.__consent.decide(bool)` stands in for
 * the cookie banner: it records the choice and fires `visitorConsentCollected`.
 */
export function storefrontHtml(options: StorefrontOptions): string {
  const fake = options.privacyApi === false ? "" : `<script>
window.__consent = { analytics: ${options.analyticsAllowed === true}, loadFeaturesCalls: 0, loaded: false };
window.Shopify = { shop: "demo-shop.myshopify.com", loadFeatures: function (features, callback) {
  window.__consent.loadFeaturesCalls++;
  window.__consent.features = features;
  setTimeout(function () {
    window.Shopify.customerPrivacy = { analyticsProcessingAllowed: function () { return window.__consent.analytics; } };
    window.__consent.loaded = true;
    callback();
  }, 30);
} };
window.__consent.decide = function (allowed) {
  window.__consent.analytics = allowed;
  document.dispatchEvent(new CustomEvent("visitorConsentCollected", { detail: {
    analyticsAllowed: allowed, marketingAllowed: allowed, preferencesAllowed: allowed, saleOfDataAllowed: allowed } }));
};
</script>`;
  const tag = options.siteId === undefined ? "" : `<script src="${LOADER_URL}" ${SITE_ID_ATTRIBUTE}="${options.siteId}" defer></script>\n`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Demo shop</title>
${fake}
<link rel="stylesheet" href="data:text/css,body{font-family:sans-serif}">
${tag.repeat(options.loaderTags ?? 1)}</head>
<body><h1>Demo shop</h1><p>Products, collections, a cart.</p>${options.extraBody ?? ""}</body></html>`;
}

/**
 * Serves the page and the loader from fake HTTPS origins, records every request for the
 * MouseStats script (answered with an empty script) and refuses anything else: no network.
 */
export async function serveStorefront(context: BrowserContext, options: StorefrontOptions): Promise<{ mouseStatsRequests: string[] }> {
  const mouseStatsRequests: string[] = [];
  // Playwright tries the most recently registered matching route first: the catch-all goes first.
  await context.route("**/*", (route) => route.abort("blockedbyclient"));
  await context.route(STOREFRONT_URL, (route) => route.fulfill({ status: 200, contentType: "text/html", body: storefrontHtml(options) }));
  await context.route(LOADER_URL, (route) => route.fulfill({ status: 200, contentType: "application/javascript", body: LOADER_SOURCE }));
  await context.route("https://ssl.mousestats.com/**", (route) => {
    mouseStatsRequests.push(route.request().url());
    return route.fulfill({ status: 200, contentType: "application/javascript", body: "" });
  });
  return { mouseStatsRequests };
}
