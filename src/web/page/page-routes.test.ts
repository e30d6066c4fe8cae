import { networkInterfaces } from "node:os";
import { Script } from "node:vm";
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSessionTokenSigner, createSessionTokenVerifier } from "../../shopify/session-token.ts";
import { loadPageAssets } from "./page-assets.ts";
import { PAGE_LANGUAGES } from "./page-locale.ts";
import { createPageRoutes, SANDBOX_DEFAULT_SHOP } from "./page-routes.ts";

const API_KEY = "test-api-key";
const API_SECRET = "test-api-secret";
const signer = createSessionTokenSigner({ apiKey: API_KEY, apiSecret: API_SECRET });
const verifier = createSessionTokenVerifier({ apiKey: API_KEY, apiSecret: API_SECRET });
const sandboxTokens = { sign: (shop: string) => signer.sign({ shop, now: Date.now() }) };

const assets = await loadPageAssets();
const embedded = createPageRoutes({ apiKey: API_KEY, assets });
const sandbox = createPageRoutes({ apiKey: API_KEY, assets, sandboxTokens, knownShops: async () => ["known-shop.myshopify.com"] });

function metaContent(body: string, name: string): string | undefined {
  return new RegExp(`<meta name="${name}" content="([^"]*)">`).exec(body)?.[1];
}

describe("createPageRoutes: GET /", () => {
  it.each([
    ["a valid shop", "?shop=my-shop.myshopify.com", "frame-ancestors https://my-shop.myshopify.com https://admin.shopify.com;"],
    ["evil.com", "?shop=evil.com", "frame-ancestors https://admin.shopify.com;"],
    ["a look-alike domain", "?shop=x.myshopify.com.evil.com", "frame-ancestors https://admin.shopify.com;"],
    ["an upper-case shop", "?shop=My-Shop.myshopify.com", "frame-ancestors https://admin.shopify.com;"],
    ["a header injection attempt", "?shop=a.myshopify.com%3B%20script-src%20*", "frame-ancestors https://admin.shopify.com;"],
    ["no shop", "", "frame-ancestors https://admin.shopify.com;"],
  ])("sends the frame-ancestors CSP for %s", async (_name, query, expected) => {
    const res = await embedded.request(`/${query}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toBe(expected);
    expect(res.headers.get("x-frame-options")).toBeNull();
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
  });

  it("loads App Bridge first and synchronously, then Polaris, then our deferred assets", async () => {
    const body = await (await embedded.request("/?shop=my-shop.myshopify.com&host=abc&embedded=1")).text();
    expect(metaContent(body, "shopify-api-key")).toBe(API_KEY);
    const scripts = [...body.matchAll(/<script[^>]*>/g)].map((m) => m[0]);
    expect(scripts[0]).toBe('<script src="https://cdn.shopify.com/shopifycloud/app-bridge.js">');
    expect(scripts[1]).toBe('<script src="https://cdn.shopify.com/shopifycloud/polaris.js">');
    expect(scripts.slice(2).map((s) => /src="\/assets\/([\w/]+)\.js\?v=[\w-]+" defer/.exec(s)?.[1]))
      .toEqual(["messages/en", "i18n", "views", "checklist", "tracking", "app"]);
    expect(body).toMatch(/<link rel="icon" type="image\/svg\+xml" href="\/assets\/favicon\.svg\?v=[\w-]+">/);
    expect(body).toMatch(/<link rel="stylesheet" href="\/assets\/app\.css\?v=[\w-]+" data-fallback-css="\/assets\/fallback\.css\?v=[\w-]+" data-fallback-js="\/assets\/fallback\.js\?v=[\w-]+">/);
    expect(body).toContain('data-testid="status-badge"');
  });

  it("never reflects a hostile shop parameter unescaped", async () => {
    const hostile = `x.myshopify.com"><script>alert(1)</script>`;
    const res = await sandbox.request(`/?shop=${encodeURIComponent(hostile)}&host=${encodeURIComponent(hostile)}`);
    const body = await res.text();
    expect(body).not.toContain("alert(1)</script>");
    expect(body).not.toContain(hostile);
    expect(res.headers.get("content-security-policy")).toBe("frame-ancestors https://admin.shopify.com;");
    // An invalid shop gets no sandbox token either.
    expect(metaContent(body, "sandbox-session-token")).toBeUndefined();
  });

  it("speaks the merchant's language: Shopify's locale parameter, else Accept-Language, else English", async () => {
    const page = async (query: string, acceptLanguage?: string) => {
      const body = await (await embedded.request(`/?shop=my-shop.myshopify.com${query}`, { headers: acceptLanguage ? { "Accept-Language": acceptLanguage } : {} })).text();
      return { lang: /<html lang="([^"]+)">/.exec(body)?.[1], messages: /src="\/assets\/messages\/(\w+)\.js/.exec(body)?.[1], loading: /<s-text>([^<]+)<\/s-text>/.exec(body)?.[1] };
    };
    expect(await page("&locale=fr")).toEqual({ lang: "fr", messages: "fr", loading: "Chargement de votre compte de cartes de chaleur…" });
    expect(await page("&locale=de-AT")).toMatchObject({ lang: "de-AT", messages: "de" });
    expect(await page("&locale=es_MX")).toMatchObject({ lang: "es-MX", messages: "es" });
    expect(await page("&locale=ja", "es-ES,es;q=0.9")).toMatchObject({ lang: "es-ES", messages: "es" });
    expect(await page("", "pt-BR, de;q=0.5")).toMatchObject({ lang: "de", messages: "de" });
    expect(await page("&locale=ja")).toEqual({ lang: "en", messages: "en", loading: "Loading your heatmaps account…" });
    expect(await page('&locale="><script>')).toMatchObject({ lang: "en" });
  });

  it("names SUPPORT_EMAIL and SUPPORT_URL for the help link, and flags a shop parameter that is not a shop", async () => {
    const routes = createPageRoutes({ apiKey: API_KEY, assets, support: { email: "help@reseller.example", url: "https://reseller.example/help" } });
    const body = await (await routes.request("/?shop=not-a-shop.com")).text();
    expect(metaContent(body, "support-email")).toBe("help@reseller.example");
    expect(metaContent(body, "support-url")).toBe("https://reseller.example/help");
    expect(metaContent(body, "page-problem")).toBe("invalid_shop");
    const plain = await (await embedded.request("/?shop=my-shop.myshopify.com")).text();
    expect(plain).not.toContain("support-email");
    expect(plain).not.toContain("page-problem");
  });

  it("escapes the api key", async () => {
    const body = await (await createPageRoutes({ apiKey: `k"><b>x`, assets }).request("/")).text();
    expect(metaContent(body, "shopify-api-key")).toBe("k&quot;&gt;&lt;b&gt;x");
  });

  it("never puts a session token in the page outside sandbox mode", async () => {
    const res = await embedded.request("/?shop=my-shop.myshopify.com");
    const body = await res.text();
    expect(body).not.toContain("sandbox-session-token");
    expect(body).not.toContain("sandbox-shop");
    expect((await embedded.request("/assets/sandbox-token?shop=my-shop.myshopify.com")).status).toBe(404);
  });

});

/** The sandbox page over real HTTP: it hands session tokens only to clients on this machine. */
describe("createPageRoutes in sandbox mode, over HTTP", () => {
  let server: ServerType;
  let port: number;
  const local = (path: string) => fetch(`http://127.0.0.1:${port}${path}`);
  // This machine's own non-loopback address: a request to it arrives from it, as a remote client would.
  const lanAddress = Object.values(networkInterfaces()).flat().find((i) => i && i.family === "IPv4" && !i.internal)?.address;

  beforeAll(async () => {
    server = await new Promise<ServerType>((resolve) => { const s = serve({ fetch: sandbox.fetch, hostname: "0.0.0.0", port: 0 }, () => resolve(s)); });
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("puts a session token valid for the shop in the page", async () => {
    const body = await (await local("/?shop=fresh-shop.myshopify.com")).text();
    const token = metaContent(body, "sandbox-session-token");
    expect(metaContent(body, "sandbox-shop")).toBe("fresh-shop.myshopify.com");
    const result = await verifier.verify(token ?? "");
    expect(result).toMatchObject({ ok: true, shop: "fresh-shop.myshopify.com" });
  });

  it("offers a shop to pick or type when the URL names none, never a silent default", async () => {
    const res = await local("/?locale=fr");
    const body = await res.text();
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(body).toContain('data-testid="shop-picker"');
    expect(body).not.toContain("sandbox-session-token");
    expect(body).toContain(`href="/?shop=known-shop.myshopify.com&amp;locale=fr"`);
    expect(body).toContain(`href="/?shop=${SANDBOX_DEFAULT_SHOP}&amp;locale=fr"`);
    expect(body).toMatch(/<form method="get" action="\/">[\s\S]*<input id="shop" name="shop"/);
  });

  it("loads the sandbox's stand-in for App Bridge right after App Bridge", async () => {
    const body = await (await local("/?shop=fresh-shop.myshopify.com")).text();
    const scripts = [...body.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts.slice(0, 3)).toEqual(["https://cdn.shopify.com/shopifycloud/app-bridge.js", "/sandbox/app-bridge.js", "https://cdn.shopify.com/shopifycloud/polaris.js"]);
  });

  it("returns a fresh token for the shop at /assets/sandbox-token, not cached", async () => {
    const res = await local("/assets/sandbox-token?shop=fresh-shop.myshopify.com");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const { token } = (await res.json()) as { token: string };
    expect(await verifier.verify(token)).toMatchObject({ ok: true, shop: "fresh-shop.myshopify.com" });
  });

  it("refuses an invalid shop", async () => {
    expect((await local("/assets/sandbox-token?shop=evil.com")).status).toBe(400);
  });

  it.skipIf(!lanAddress)("hands no token to a client that is not on this machine (page nor endpoint)", async () => {
    const res = await fetch(`http://${lanAddress}:${port}/assets/sandbox-token?shop=victim.myshopify.com`);
    expect(res.status).toBe(403);
    expect(await res.text()).not.toMatch(/eyJ/);
    const page = await (await fetch(`http://${lanAddress}:${port}/?shop=victim.myshopify.com`)).text();
    expect(metaContent(page, "sandbox-session-token") ?? "").toBe("");
  });
});

describe("createPageRoutes: assets", () => {
  it.each([
    ["/assets/app.js", "text/javascript; charset=utf-8"],
    ["/assets/views.js", "text/javascript; charset=utf-8"],
    ["/assets/tracking.js", "text/javascript; charset=utf-8"],
    ["/assets/app.css", "text/css; charset=utf-8"],
  ])("serves %s with its content type, an ETag and a 5-minute cache", async (path, type) => {
    const res = await embedded.request(path);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(type);
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    expect(res.headers.get("etag")).toMatch(/^"[\w-]+"$/);
    expect((await res.text()).length).toBeGreaterThan(100);
  });

  it("answers 304 to a matching If-None-Match, weak or in a list", async () => {
    const etag = (await embedded.request("/assets/app.css")).headers.get("etag")!;
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`]) {
      const res = await embedded.request("/assets/app.css", { headers: { "If-None-Match": header } });
      expect(res.status).toBe(304);
      expect(res.headers.get("etag")).toBe(etag);
      expect(await res.text()).toBe("");
    }
    const changed = await embedded.request("/assets/app.css", { headers: { "If-None-Match": '"other"' } });
    expect(changed.status).toBe(200);
  });

  // The budget the merchant's-journey issue (13) sets: everything of ours a page in one language loads.
  it.each(PAGE_LANGUAGES)("keeps our own HTML, JS, CSS, icon and messages under 40 KB for a page in %s", async (lang) => {
    const html = await (await embedded.request(`/?shop=my-shop.myshopify.com&host=abc&embedded=1&locale=${lang}`)).text();
    const paths = [...html.matchAll(/(?:src|href)="(\/[^"?]+)/g)].map((m) => m[1]!);
    expect(paths).toContain(`/assets/messages/${lang}.js`);
    expect(paths).toHaveLength(8); // fallback.css only when polaris.js is absent: see below
    const sizes = await Promise.all(paths.map(async (p) => (await (await embedded.request(p)).arrayBuffer()).byteLength));
    const total = Buffer.byteLength(html) + sizes.reduce((a, b) => a + b, 0);
    const fallback = (await (await embedded.request("/assets/fallback.css")).arrayBuffer()).byteLength + (await (await embedded.request("/assets/fallback.js")).arrayBuffer()).byteLength;
    console.info(`page in ${lang}: ${total} bytes of our own (${paths.map((p, i) => `${p} ${sizes[i]}`).join(", ")}, HTML ${Buffer.byteLength(html)}); without polaris.js also fallback.css and .js: ${fallback}`);
    expect(total).toBeLessThan(40 * 1024);
  });

  it("serves minified scripts that still parse and keep the names the next script uses", async () => {
    for (const name of ["i18n", "views", "checklist", "tracking", "app", "fallback", "messages/en", "messages/de"]) {
      const body = await (await embedded.request(`/assets/${name}.js`)).text();
      expect(() => new Script(body, { filename: name })).not.toThrow();
      const global = { i18n: "I18n", views: "Views", checklist: "Checklist", tracking: "Tracking" }[name];
      if (global) expect(body).toMatch(new RegExp(`^"use strict";const ${global}=`));
      expect(body).not.toContain("@type");
    }
  });

  it("defines no route outside the page's own", async () => {
    for (const path of ["/api/account", "/webhooks", "/sandbox/confirm", "/healthz", "/readyz", "/metrics", "/mousestats-simulator/api/doLogin"]) {
      expect((await sandbox.request(path)).status).toBe(404);
    }
  });
});
