import { Hono, type Context } from "hono";
import type { Logger } from "../logger.ts";
import { maskEmail } from "../logger.ts";
import { MouseStatsError } from "../mousestats/errors.ts";
import type { MouseStatsClient } from "../mousestats/client.ts";
import { parseShopDomain } from "../shopify/shop-domain.ts";
import type { RateLimiter } from "../web/rate-limiter.ts";
import type { AppProxyVerifier } from "./app-proxy-signature.ts";
import type { BuyerAccounts } from "./buyer-accounts.ts";
import { accountsPage, openRefusedPage, signedOutPage, type OpenRefusal, type ProxyPageContext } from "./proxy-pages.ts";

/** Where `shopify.app.toml`'s `[app_proxy]` sends the store's `/apps/heatmaps/…`. */
export const APP_PROXY_PATH = "/apps/heatmaps";

export interface ProxyRoutesDeps {
  verifier: AppProxyVerifier;
  buyers: BuyerAccounts;
  mousestats: Pick<MouseStatsClient, "generateLoginToken" | "loginUrl">;
  /** Login links per account, shared with the admin's Open heatmaps. */
  limiter: RateLimiter;
  loginTokenValidHours: number;
  /** The signed-in customer's email, read through the Admin API (null when the shop cannot tell). */
  customerEmail: (shop: string, customerId: string) => Promise<string | null>;
  productUrl?: string;
  logger: Logger;
  onLoginLink?: (outcome: "ok" | "refused" | "rate_limited" | "mousestats_error") => void;
}

export interface ProxyEnv {
  Variables: { shop: string; customerId: string | null; page: ProxyPageContext };
}

/**
 * The buyers' side, behind Shopify's app proxy (`https://<shop>/apps/heatmaps/…` → `/proxy/…`):
 * `GET /proxy` lists the signed-in customer's accounts; `GET /proxy/open` sends them into one.
 * Every request must carry Shopify's signature and a recent timestamp (401 otherwise, nothing
 * done); nothing is cached.
 * @see https://shopify.dev/docs/apps/build/online-store/app-proxies/authenticate-app-proxies
 */
export function createProxyRoutes(deps: ProxyRoutesDeps): Hono<ProxyEnv> {
  const { buyers, logger } = deps;
  const count = deps.onLoginLink ?? (() => {});
  const proxy = new Hono<ProxyEnv>();

  proxy.use("*", async function verifyShopify(c, next) {
    c.header("Cache-Control", "no-store");
    const query = new URL(c.req.url).searchParams;
    const shop = parseShopDomain(query.get("shop") ?? undefined);
    const customer = query.get("logged_in_customer_id") ?? "";
    if (!shop || !/^\d{0,20}$/.test(customer) || !(await deps.verifier.verify(query))) {
      logger.warn({ scope: "proxy", path: c.req.path }, "app proxy request refused: bad or stale signature");
      return c.text("invalid app proxy signature", 401);
    }
    const pathPrefix = query.get("path_prefix") ?? "";
    c.set("shop", shop);
    c.set("customerId", customer || null);
    c.set("page", { pathPrefix: /^\/[\w/-]{1,200}$/.test(pathPrefix) ? pathPrefix : APP_PROXY_PATH, productUrl: deps.productUrl });
    await next();
  });

  /** Orders placed as a guest become the signed-in customer's when their emails match. */
  async function claimGuestOrders(shop: string, customerId: string): Promise<void> {
    const guestEmails = buyers.guestOrderEmails(shop);
    if (guestEmails.length === 0) return;
    let email: string | null;
    try {
      email = await deps.customerEmail(shop, customerId);
    } catch (err) {
      logger.warn({ scope: "proxy", shop, err: err instanceof Error ? err.message : String(err) }, "could not read the customer's email; guest orders stay unclaimed");
      return;
    }
    if (email && guestEmails.includes(email)) {
      const claimed = buyers.claimGuestOrders(shop, customerId, email);
      logger.info({ scope: "proxy", shop, email: maskEmail(email), claimed }, "guest orders claimed by the signed-in customer");
    }
  }

  const liquid = (c: Context<ProxyEnv>, body: string) => c.body(body, 200, { "Content-Type": "application/liquid; charset=utf-8" });

  proxy.get("/", async (c) => {
    const customerId = c.get("customerId");
    if (!customerId) return liquid(c, signedOutPage(c.get("page")));
    await claimGuestOrders(c.get("shop"), customerId);
    return liquid(c, accountsPage(buyers.list(c.get("shop"), customerId), c.get("page")));
  });

  proxy.get("/open", async (c) => {
    const shop = c.get("shop");
    const customerId = c.get("customerId");
    if (!customerId) return liquid(c, signedOutPage(c.get("page")));
    await claimGuestOrders(shop, customerId);
    const accounts = buyers.list(shop, customerId);
    const email = c.req.query("email")?.trim().toLowerCase();
    const refuse = (reason: OpenRefusal) => {
      count(reason === "rate-limited" ? "rate_limited" : reason === "mousestats-down" ? "mousestats_error" : "refused");
      return liquid(c, openRefusedPage(reason, accounts, c.get("page")));
    };
    const account = email ? accounts.find((a) => a.email === email) : accounts.length === 1 ? accounts[0] : undefined;
    if (!account) return refuse(email || accounts.length === 0 ? "no-account" : "choose");
    if (account.status !== "active") return refuse("not-ready");
    if (!deps.limiter.take(account.email).ok) return refuse("rate-limited");
    let token: string;
    try {
      token = await deps.mousestats.generateLoginToken(account.email, deps.loginTokenValidHours);
    } catch (err) {
      if (!(err instanceof MouseStatsError)) throw err;
      logger.warn({ scope: "proxy", shop, err: err.message }, "buyer login link failed");
      return refuse("mousestats-down");
    }
    count("ok");
    return c.redirect(deps.mousestats.loginUrl(token), 302);
  });

  return proxy;
}
