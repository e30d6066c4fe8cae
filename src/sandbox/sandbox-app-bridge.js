// @ts-check
// Sandbox mode only: stands in for Shopify's App Bridge, which is absent outside the Shopify admin,
// with the parts the page uses and in App Bridge's shapes (@shopify/app-bridge-types): `config`,
// `idToken()` (a session token the sandbox signs, for this machine only) and `app.extensions()`
// (the app embed's status, which the sandbox's stand-in theme editor switches on and off).
"use strict";
(function sandboxAppBridge() {
  if (window.shopify) return; // the real App Bridge loaded: it answers
  const meta = (/** @type {string} */ name) => document.querySelector(`meta[name="${name}"]`)?.getAttribute("content") ?? "";
  const shop = meta("sandbox-shop");
  if (!shop) return; // no valid shop: the page says so
  let first = meta("sandbox-session-token");

  /** @param {string} path */
  async function getJson(path) {
    const res = await fetch(path, { cache: "no-store" });
    if (!res.ok) throw new Error(`sandbox App Bridge: ${path} answered HTTP ${res.status}`);
    return res.json();
  }

  /** @type {Pick<typeof shopify, "idToken" | "app"> & { config: Partial<typeof shopify.config> }} */
  const standIn = {
    config: { apiKey: meta("shopify-api-key"), shop, locale: document.documentElement.lang },
    // Like App Bridge, a token fresh enough for the next request: the page's own first, then a new one each time.
    async idToken() {
      const token = first;
      first = "";
      return token || (await getJson(`/assets/sandbox-token?shop=${encodeURIComponent(shop)}`)).token;
    },
    app: { extensions: () => getJson(`/sandbox/app-extensions?shop=${encodeURIComponent(shop)}`) },
  };
  window.shopify = /** @type {typeof shopify} */ (/** @type {unknown} */ (standIn));
})();
