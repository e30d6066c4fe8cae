import type { BrowserContext } from "playwright-core";
import { APP_BRIDGE_SRC } from "../../src/web/page/page-html.ts";

/** What the fake's `shopify.app.extensions()` does: resolve with the embed in a status, or an older App Bridge without the App API, or a failing call. */
export type FakeAppExtensions = "active" | "available" | "unavailable" | "no-app-api" | "rejects";

/**
 * Stubs Shopify's CDN App Bridge script with a faithful fake of the parts the page uses, in the
 * shapes of @shopify/app-bridge-types: `config`, `idToken()` (here a sandbox session token from
 * the test server, as App Bridge hands the admin's) and `app.extensions()`, which resolves to
 * `ExtensionInfo[]` with the theme app extension's embed activation (App Home "App API":
 * https://shopify.dev/docs/api/app-home/apis/authentication-and-data/app-api). The real App
 * Bridge defines `window.shopify` before the page's scripts run, so the sandbox's stand-in
 * steps aside, as it does in the admin.
 */
export async function stubAppBridge(context: BrowserContext, extensions: FakeAppExtensions): Promise<void> {
  const info = (status: string) => [{
    handle: "mousestats-tracking",
    type: "theme_app_extension",
    activations: [{
      handle: "mousestats-tracking", name: "MouseStats heatmaps", target: "head", status,
      activations: status === "active" ? [{ target: "head", themeId: "gid://shopify/OnlineStoreTheme/1" }] : [],
    }],
  }];
  const app = extensions === "no-app-api" ? ""
    : extensions === "rejects" ? `app: { extensions: () => Promise.reject(new Error("App API request failed")) },`
      : `app: { extensions: () => Promise.resolve(${JSON.stringify(info(extensions))}) },`;
  const script = `(() => {
  const meta = (n) => document.querySelector('meta[name="' + n + '"]')?.getAttribute("content") ?? "";
  const shop = new URLSearchParams(location.search).get("shop");
  window.shopify = {
    config: { apiKey: meta("shopify-api-key"), shop, locale: document.documentElement.lang },
    idToken: async () => (await (await fetch("/assets/sandbox-token?shop=" + encodeURIComponent(shop))).json()).token,
    ${app}
  };
})();`;
  await context.route(APP_BRIDGE_SRC, (route) => route.fulfill({ status: 200, contentType: "application/javascript", body: script }));
}
