import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

export const APP_BRIDGE_SRC = "https://cdn.shopify.com/shopifycloud/app-bridge.js";
export const POLARIS_SRC = "https://cdn.shopify.com/shopifycloud/polaris.js";

export interface PageHtmlOptions {
  /** The app's client id, for App Bridge's `<meta name="shopify-api-key">`. */
  apiKey: string;
  /** Content hashes of our script and stylesheet, so a new deploy is not hidden by the 5-minute cache. */
  assetVersions: { views: string; tracking: string; js: string; css: string };
  /**
   * Sandbox mode only: the shop this page acts for and a short-lived session token for it.
   * In sandbox mode without a valid shop, `token` is absent and the page explains why.
   */
  sandbox?: { shop: string | null; token: string | null };
}

/**
 * The embedded page's document. App Bridge comes first and synchronously (it must see the
 * page before anything else runs), then Polaris, then our deferred scripts (the views and the
 * tracking section before the controller). The body is the loading state; `app.js` replaces it
 * with the view for the account's state. Everything interpolated goes through hono's `html`
 * escaping.
 */
export function renderPageHtml(options: PageHtmlOptions): HtmlEscapedString | Promise<HtmlEscapedString> {
  const { sandbox } = options;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Heatmaps</title>
<meta name="shopify-api-key" content="${options.apiKey}">
${sandbox?.shop ? html`<meta name="sandbox-shop" content="${sandbox.shop}">\n` : ""}${sandbox?.token ? html`<meta name="sandbox-session-token" content="${sandbox.token}">\n` : ""}<script src="${APP_BRIDGE_SRC}"></script>
<script src="${POLARIS_SRC}"></script>
<link rel="stylesheet" href="/assets/app.css?v=${options.assetVersions.css}">
<script src="/assets/views.js?v=${options.assetVersions.views}" defer></script>
<script src="/assets/tracking.js?v=${options.assetVersions.tracking}" defer></script>
<script src="/assets/app.js?v=${options.assetVersions.js}" defer></script>
</head>
<body>
<s-page heading="Heatmaps" inlinesize="base">
<header class="app-header">
<h1 class="fallback-only">Heatmaps</h1>
<s-badge tone="neutral" id="status-badge" data-testid="status-badge">Loading</s-badge>
</header>
<div id="banner" class="banner-area"></div>
<div id="app" class="app-body" data-state="loading" aria-busy="true">
<s-section>
<div class="loading-row">
<s-spinner accessibilitylabel="Loading" size="base"></s-spinner>
<s-text>Loading your heatmaps account…</s-text>
</div>
</s-section>
</div>
<p id="announcer" class="visually-hidden" role="status" aria-live="polite"></p>
<noscript><p class="noscript">This page needs JavaScript to show your heatmaps account.</p></noscript>
</s-page>
</body>
</html>
`;
}
