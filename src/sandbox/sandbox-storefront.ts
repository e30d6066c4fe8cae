import { Hono, type Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { html, raw } from "hono/html";
import { signAppProxyQuery } from "../proxy/app-proxy-signature.ts";
import { APP_PROXY_PATH } from "../proxy/proxy-routes.ts";
import { parseShopDomain } from "../shopify/shop-domain.ts";
import type { SandboxAdmin } from "./sandbox-admin.ts";
import { sandboxPage } from "./sandbox-pages.ts";

export interface SandboxStorefrontOptions {
  sandboxAdmin: Pick<SandboxAdmin, "addCustomer">;
  /** The app's own base URL on loopback: the storefront forwards to `/proxy` over HTTP, as Shopify does. */
  appBaseUrl: string;
  apiSecret: string;
  /** Epoch milliseconds (the signed `timestamp`). */
  now: () => number;
  /** Where the routes are mounted, e.g. `/sandbox/storefront`. */
  mountPath: string;
}

const COOKIE = "sandbox_storefront";

/**
 * A stand-in storefront for the sandbox shop, so the buyers' side works offline: "signing in"
 * as a customer (`?shop=&customer=&email=`, or its sign-in form) keeps shop and customer in a
 * cookie, as the store's session would; `<mount>/apps/heatmaps/…` then does what Shopify's app
 * proxy does: it adds `shop`, `logged_in_customer_id`, `path_prefix` and `timestamp`, signs
 * them with the app secret, and forwards to the app's `/proxy/…` over HTTP. A Liquid answer is
 * shown in a plain stand-in theme (the one Liquid expression the page uses is filled in).
 */
export function createSandboxStorefront(options: SandboxStorefrontOptions): Hono {
  const { mountPath } = options;
  const proxyPrefix = `${mountPath}${APP_PROXY_PATH}`;
  const loginPath = `${mountPath}/account/login`;
  const app = new Hono();

  app.get("/", (c) => {
    const shop = parseShopDomain(c.req.query("shop"));
    if (!shop) return c.html(sandboxPage("Storefront", html`<h1>Stand-in storefront</h1><p>Add <code>?shop=&lt;shop&gt;.myshopify.com</code>, and <code>&amp;customer=&lt;id&gt;&amp;email=&lt;email&gt;</code> to sign in as a customer.</p>`), 400);
    const customer = c.req.query("customer")?.trim() ?? "";
    const email = c.req.query("email")?.trim() ?? "";
    if (customer && !/^\d{1,20}$/.test(customer)) return c.html(sandboxPage("Storefront", html`<h1>Stand-in storefront</h1><p>A customer id is digits only.</p>`), 400);
    if (customer && email) options.sandboxAdmin.addCustomer(shop, customer, email);
    setCookie(c, COOKIE, `${shop}|${customer}`, { path: mountPath, httpOnly: true, sameSite: "Lax" });
    const back = c.req.query("return_url") ?? "";
    return c.redirect(back.startsWith(`${proxyPrefix}`) ? back : proxyPrefix, 303);
  });

  // The store's sign-in page, standing in: who are you on this store?
  app.get("/account/login", (c) => {
    const [shop = ""] = (getCookie(c, COOKIE) ?? "").split("|");
    const returnUrl = c.req.query("return_url") ?? proxyPrefix;
    return c.html(sandboxPage("Sign in", html`<h1>Sign in to ${shop || "the store"} (stand-in)</h1>
<form method="get" action="${mountPath}" style="display:grid;gap:.5rem">
<input type="hidden" name="shop" value="${shop}"><input type="hidden" name="return_url" value="${returnUrl}">
<label>Customer id <input name="customer" inputmode="numeric" required></label>
<label>Email <input name="email" type="email" required></label>
<button class="primary" type="submit">Sign in</button>
</form>`));
  });

  app.get("/sign-out", (c) => {
    deleteCookie(c, COOKIE, { path: mountPath });
    return c.redirect(proxyPrefix, 303);
  });

  app.get(`${APP_PROXY_PATH}/*`, forward);
  app.get(APP_PROXY_PATH, forward);

  async function forward(c: Context): Promise<Response> {
    const [shop, customer = ""] = (getCookie(c, COOKIE) ?? "").split("|");
    if (!shop) return c.html(sandboxPage("Storefront", html`<h1>Stand-in storefront</h1><p>Open <code>${mountPath}?shop=&lt;shop&gt;</code> first.</p>`), 400);
    const url = new URL(c.req.url);
    const rest = url.pathname.slice(proxyPrefix.length);
    const query = new URLSearchParams(url.search);
    for (const key of ["shop", "logged_in_customer_id", "path_prefix", "timestamp", "signature"]) query.delete(key);
    query.set("shop", shop);
    query.set("logged_in_customer_id", customer);
    query.set("path_prefix", proxyPrefix);
    query.set("timestamp", String(Math.floor(options.now() / 1000)));
    query.set("signature", signAppProxyQuery(query, options.apiSecret));
    const answer = await fetch(`${options.appBaseUrl}/proxy${rest}?${query}`, { redirect: "manual" });
    if (answer.status >= 300 && answer.status < 400) return c.redirect(answer.headers.get("location") ?? proxyPrefix, answer.status as 302);
    const body = await answer.text();
    if (!answer.headers.get("content-type")?.startsWith("application/liquid")) return c.text(body, answer.status as 200);
    // The theme around the page; Shopify would also render the Liquid: ours is the sign-in URL only.
    const page = body.replaceAll("{{ routes.account_login_url }}", loginPath);
    return c.html(html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Your heatmaps – ${shop}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#222}header,footer{background:#1f2937;color:#fff;padding:1rem 1.5rem}
header a,footer a{color:#fff}.button{display:inline-block;background:#111;color:#fff;padding:.6rem 1.2rem;border-radius:6px;text-decoration:none}
section{border:1px solid #ddd;border-radius:8px;padding:0 1rem;margin:1rem 0}</style></head>
<body><header><strong>${shop}</strong> · stand-in storefront (sandbox)${customer ? html` · customer ${customer} · <a href="${mountPath}/sign-out">Sign out</a>` : ""}</header>
<main>${raw(page)}</main><footer>Sandbox: Shopify's app proxy would render this page inside the store's theme.</footer></body></html>`, answer.status as 200);
  }

  return app;
}
