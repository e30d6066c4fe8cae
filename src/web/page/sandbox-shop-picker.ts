import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

/** A shop to suggest when the sandbox page is opened without one. */
export const SANDBOX_DEFAULT_SHOP = "demo-shop.myshopify.com";

/**
 * Sandbox mode, `GET /` without a `shop`: pick a shop the app knows, or type one. Every
 * `*.myshopify.com` shop exists in the sandbox; the page never picks one silently. A developer's
 * page, in English like the sandbox's other pages; `locale` is carried through.
 */
export function sandboxShopPicker(knownShops: readonly string[], locale: string | undefined): HtmlEscapedString | Promise<HtmlEscapedString> {
  const shops = [...new Set([...knownShops, SANDBOX_DEFAULT_SHOP])];
  const href = (shop: string) => `/?${new URLSearchParams({ shop, ...(locale ? { locale } : {}) })}`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Choose a sandbox shop · Heatmaps</title>
<link rel="icon" type="image/svg+xml" href="/assets/favicon.svg">
<style>body{font:14px/1.5 system-ui,sans-serif;background:#f1f1f1;color:#303030;margin:0}
main{max-width:34rem;margin:3rem auto;background:#fff;border-radius:12px;padding:1.5rem 2rem;box-shadow:0 1px 3px #0002}
h1{font-size:1.25rem}label{display:block;font-weight:600;margin:1rem 0 .25rem}input{font:inherit;padding:.4rem .6rem;border:1px solid #8a8a8a;border-radius:8px;width:18rem}
button{font:inherit;padding:.4rem 1rem;border-radius:8px;border:0;background:#303030;color:#fff;margin-left:.5rem;cursor:pointer}a{color:#005bd3}</style>
</head>
<body><main data-testid="shop-picker">
<h1>Which shop should the app open?</h1>
<p>In sandbox mode every <code>*.myshopify.com</code> shop exists. In the Shopify admin, Shopify names the shop; here, choose one.</p>
<ul>${shops.map((shop) => html`<li><a href="${href(shop)}">${shop}</a></li>`)}</ul>
<form method="get" action="/">
<label for="shop">Or type a shop</label>
<input id="shop" name="shop" required pattern="[a-z0-9][a-z0-9-]*\\.myshopify\\.com" placeholder="my-store.myshopify.com" autocomplete="off">${locale ? html`<input type="hidden" name="locale" value="${locale}">` : ""}<button type="submit">Open</button>
</form>
</main></body>
</html>
`;
}
