import { Hono } from "hono";
import { parseShopDomain } from "../../shopify/shop-domain.ts";
import { isLoopbackClient } from "../loopback-client.ts";
import { serveAsset, type PageAssets } from "./page-assets.ts";
import { renderPageHtml } from "./page-html.ts";
import { negotiatePageLocale } from "./page-locale.ts";
import { loadPageMessages, messagesFor } from "./page-messages.ts";
import { SANDBOX_DEFAULT_SHOP, sandboxShopPicker } from "./sandbox-shop-picker.ts";

export { SANDBOX_DEFAULT_SHOP };

export interface PageRoutesOptions {
  /** The app's client id (public: App Bridge reads it from the page). */
  apiKey: string;
  /** SUPPORT_EMAIL / SUPPORT_URL. */
  support?: { email: string | undefined; url: string | undefined };
  /**
   * Sandbox mode only: mints a short-lived session token for a shop, standing in for App
   * Bridge, which is absent outside the Shopify admin. Never given in production, and handed
   * only to clients on this machine: a token for any shop must not be a request away.
   */
  sandboxTokens?: { sign(shop: string): string };
  /** Sandbox mode: shops the app has seen, offered when the page is opened without one. */
  knownShops?: () => Promise<readonly string[]>;
  /** The page's own files, from `loadPageAssets()`. */
  assets: PageAssets;
}

/**
 * `GET /` (the embedded page) and its own assets under `/assets/`. Mounted at `/` after every
 * other route group, so it defines nothing under `/api`, `/webhooks`, `/sandbox` and so on.
 */
export function createPageRoutes(options: PageRoutesOptions): Hono {
  const { assets } = options;
  const messages = loadPageMessages();
  const versions = Object.fromEntries(Object.entries(assets).map(([name, a]) => [name, a.version]));
  const support = options.support ?? { email: undefined, url: undefined };
  const { sandboxTokens } = options;
  const page = new Hono();

  page.get("/", async (c) => {
    const shopParam = c.req.query("shop");
    const shop = parseShopDomain(shopParam);
    c.header("Content-Security-Policy", frameAncestorsPolicy(shop));
    // Sandbox pages carry a session token, and every page is per-shop: never cache them.
    c.header("Cache-Control", "no-store");
    c.header("Referrer-Policy", "strict-origin-when-cross-origin");
    c.header("Link", '<https://cdn.shopify.com>; rel="preconnect"');
    if (sandboxTokens && shopParam === undefined) return c.html(sandboxShopPicker((await options.knownShops?.()) ?? [], c.req.query("locale")));
    const locale = negotiatePageLocale(c.req.query("locale"), c.req.header("accept-language"));
    const mayMint = sandboxTokens !== undefined && isLoopbackClient(c);
    return c.html(renderPageHtml({
      apiKey: options.apiKey,
      locale,
      messages: messagesFor(messages, locale.language),
      assetVersions: versions,
      support,
      invalidShop: shopParam !== undefined && shop === null,
      sandbox: sandboxTokens && { shop, token: shop && mayMint ? sandboxTokens.sign(shop) : null },
    }));
  });

  for (const [name, asset] of Object.entries(assets)) page.get(`/assets/${name}`, (c) => serveAsset(c, asset));

  if (sandboxTokens) {
    // Session tokens live 60 s; the sandbox's stand-in for App Bridge fetches a fresh one here.
    page.get("/assets/sandbox-token", (c) => {
      c.header("Cache-Control", "no-store");
      if (!isLoopbackClient(c)) return c.json({ error: "sandbox session tokens are handed out on this machine only (open the app at http://localhost)" }, 403);
      const shop = parseShopDomain(c.req.query("shop") ?? SANDBOX_DEFAULT_SHOP);
      if (!shop) return c.json({ error: "shop must be a valid *.myshopify.com domain" }, 400);
      return c.json({ token: sandboxTokens.sign(shop) });
    });
  }

  return page;
}

/**
 * Lets only the shop's admin and admin.shopify.com frame the page. The shop is included only
 * when it is a valid `*.myshopify.com` domain: an unvalidated value must never reach a header.
 */
export function frameAncestorsPolicy(shop: string | null): string {
  const ancestors = shop ? [`https://${shop}`, "https://admin.shopify.com"] : ["https://admin.shopify.com"];
  return `frame-ancestors ${ancestors.join(" ")};`;
}
