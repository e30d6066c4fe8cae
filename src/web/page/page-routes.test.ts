import { networkInterfaces } from "node:os";
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSessionTokenSigner, createSessionTokenVerifier } from "../../shopify/session-token.ts";
import { createPageRoutes, SANDBOX_DEFAULT_SHOP } from "./page-routes.ts";

const API_KEY = "test-api-key";
const API_SECRET = "test-api-secret";
const signer = createSessionTokenSigner({ apiKey: API_KEY, apiSecret: API_SECRET });
const verifier = createSessionTokenVerifier({ apiKey: API_KEY, apiSecret: API_SECRET });
const sandboxTokens = { sign: (shop: string) => signer.sign({ shop, now: Date.now() }) };

const embedded = createPageRoutes({ apiKey: API_KEY });
const sandbox = createPageRoutes({ apiKey: API_KEY, sandboxTokens });

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
    expect(scripts.slice(2).every((s) => /src="\/assets\/[a-z]+\.js\?v=[\w-]+" defer/.test(s))).toBe(true);
    expect(body).toMatch(/<link rel="stylesheet" href="\/assets\/app\.css\?v=[\w-]+">/);
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

  it("escapes the api key", async () => {
    const body = await (await createPageRoutes({ apiKey: `k"><b>x` }).request("/")).text();
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

  it("uses the demo shop when the URL names none", async () => {
    const res = await local("/");
    const token = metaContent(await res.text(), "sandbox-session-token");
    expect(await verifier.verify(token ?? "")).toMatchObject({ ok: true, shop: SANDBOX_DEFAULT_SHOP });
    expect(res.headers.get("cache-control")).toBe("no-store");
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

  it("keeps our own HTML, JS and CSS under 30 KB in total", async () => {
    const paths = ["/?shop=my-shop.myshopify.com&host=abc&embedded=1", "/assets/views.js", "/assets/tracking.js", "/assets/app.js", "/assets/app.css"];
    const sizes = await Promise.all(paths.map(async (p) => (await (await sandbox.request(p)).arrayBuffer()).byteLength));
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThan(30 * 1024);
  });

  it("defines no route outside the page's own", async () => {
    for (const path of ["/api/account", "/webhooks", "/sandbox/confirm", "/healthz", "/readyz", "/metrics", "/mousestats-simulator/api/doLogin"]) {
      expect((await sandbox.request(path)).status).toBe(404);
    }
  });
});
