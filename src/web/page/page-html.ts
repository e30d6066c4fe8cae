import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { PAGE_SCRIPTS } from "./page-assets.ts";
import type { PageLocale } from "./page-locale.ts";
import { translate, type Messages } from "./page-messages.ts";

export const APP_BRIDGE_SRC = "https://cdn.shopify.com/shopifycloud/app-bridge.js";
export const POLARIS_SRC = "https://cdn.shopify.com/shopifycloud/polaris.js";
/** Sandbox mode's stand-in for App Bridge (src/sandbox/sandbox-app-bridge.js); it steps aside when the real one loaded. */
export const SANDBOX_APP_BRIDGE_SRC = "/sandbox/app-bridge.js";

export interface PageHtmlOptions {
  /** The app's client id, for App Bridge's `<meta name="shopify-api-key">`. */
  apiKey: string;
  locale: PageLocale;
  /** The page's messages (its language, English filling gaps). */
  messages: Messages;
  /** Content hashes of our assets (by name), so a new deploy is not hidden by the 5-minute cache. */
  assetVersions: Record<string, string>;
  /** SUPPORT_EMAIL / SUPPORT_URL: the help link on every view and error. */
  support: { email: string | undefined; url: string | undefined };
  /** The `shop` parameter was given but is not a valid `*.myshopify.com` domain: the page says so. */
  invalidShop: boolean;
  /**
   * Sandbox mode only: the shop this page acts for and a short-lived session token for it (read by
   * the stand-in for App Bridge). Without a valid shop or a local client, `token` is absent.
   */
  sandbox?: { shop: string | null; token: string | null };
}

/**
 * The embedded page's document. App Bridge comes first and synchronously (it must see the page
 * before anything else runs), then Polaris, then our deferred scripts: the messages of the page's
 * language, then i18n, views, checklist, tracking and the controller. The body is the loading
 * state; `app.js` replaces it with the view for the account's state. Everything interpolated goes
 * through hono's `html` escaping.
 */
export function renderPageHtml(options: PageHtmlOptions): HtmlEscapedString | Promise<HtmlEscapedString> {
  const { sandbox, messages, assetVersions: v, support } = options;
  const t = (key: string) => translate(messages, key);
  const lang = options.locale.language;
  const meta = (name: string, content: string | null | undefined) => (content ? html`<meta name="${name}" content="${content}">\n` : "");
  return html`<!doctype html>
<html lang="${options.locale.tag}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t("app.title")}</title>
<link rel="icon" type="image/svg+xml" href="/assets/favicon.svg?v=${v["favicon.svg"]}">
<meta name="shopify-api-key" content="${options.apiKey}">
${meta("support-email", support.email)}${meta("support-url", support.url)}${meta("page-problem", options.invalidShop ? "invalid_shop" : null)}${meta("sandbox-shop", sandbox?.shop)}${meta("sandbox-session-token", sandbox?.token)}<script src="${APP_BRIDGE_SRC}"></script>
${sandbox ? html`<script src="${SANDBOX_APP_BRIDGE_SRC}"></script>\n` : ""}<script src="${POLARIS_SRC}"></script>
<link rel="stylesheet" href="/assets/app.css?v=${v["app.css"]}" data-fallback-css="/assets/fallback.css?v=${v["fallback.css"]}" data-fallback-js="/assets/fallback.js?v=${v["fallback.js"]}">
<script src="/assets/messages/${lang}.js?v=${v[`messages/${lang}.js`]}" defer></script>
${PAGE_SCRIPTS.map((name) => html`<script src="/assets/${name}?v=${v[name]}" defer></script>\n`)}</head>
<body>
<s-page heading="${t("app.title")}" inlinesize="base">
<header class="app-header">
<h1 class="fallback-only">${t("app.title")}</h1>
<s-badge tone="neutral" id="status-badge" data-testid="status-badge">${t("badge.loading")}</s-badge>
</header>
<div id="banner" class="banner-area"></div>
<div id="app" class="app-body" data-state="loading" aria-busy="true">
<s-section>
<div class="loading-row">
<s-spinner accessibilitylabel="${t("badge.loading")}" size="base"></s-spinner>
<s-text>${t("app.loading")}</s-text>
</div>
</s-section>
</div>
<p id="announcer" class="visually-hidden" role="status" aria-live="polite"></p>
<noscript><p class="noscript">${t("app.noscript")}</p></noscript>
</s-page>
</body>
</html>
`;
}
