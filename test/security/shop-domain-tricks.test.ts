import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";
import { buildWebhookRequest, subscriptionPayload } from "../helpers/webhook-request.ts";
import { rawRequest } from "./support/raw-http.ts";
import { bearer, claimsFor, signToken } from "./support/tokens.ts";

/** Names that look like a shop's permanent domain to a human, a lax regex or a URL parser. */
const TRICKS = [
  "evil.com", "x.myshopify.com.evil.com", "myshopify.com", ".myshopify.com", "a.myshopify.co", "a.shopify.com",
  "UPPER.myshopify.com", "Shop.MyShopify.com", " a.myshopify.com", "a.myshopify.com ", "a .myshopify.com", "a.myshopify.com\t",
  "\u0430pple.myshopify.com", "shop\uff0emyshopify.com", "shop.myshopify.com\u200b", "\uff53hop.myshopify.com",
  "a%2emyshopify.com", "a.myshopify%2ecom", "a%2Emyshopify.com", "a.myshopify.com%00",
  "a.myshopify.com.", "a..myshopify.com", "-a.myshopify.com", "a.myshopify.com/evil", "https://a.myshopify.com",
  "a.myshopify.com:443", "user@a.myshopify.com", "a.myshopify.com#x", "*.myshopify.com",
  "a.myshopify.com https://evil.com", "a.myshopify.com;script-src *", "a.myshopify.com,evil.com",
  "\"><script>alert(1)</script>.myshopify.com", "a.myshopify.com\"><img src=x onerror=alert(1)>",
];
/** How a header carries non-ASCII: its UTF-8 bytes, one Latin-1 character each. */
const asHeaderBytes = (value: string) => Buffer.from(value, "utf8").toString("latin1");
const sendable = (value: string) => /^[\t\x20-\x7e\x80-\xff]*$/.test(asHeaderBytes(value));
/** HTTP strips a header value's surrounding whitespace, so in a header these are the plain name. */
const httpTrims = (value: string) => value !== value.trim();

describe("shop-domain tricks", () => {
  let server: TestServer;
  const count = (sql: string) => (server.database.sqlite.prepare(`select count(*) n from ${sql}`).get() as { n: number }).n;

  beforeAll(async () => { server = await startTestServer(); });
  afterAll(async () => { await server.close(); });

  it.each(TRICKS.filter((t) => sendable(t) && !httpTrims(t)))("refuses a signed webhook for shop %j (400, nothing stored)", async (shop) => {
    const { body, headers } = buildWebhookRequest({ topic: "app_subscriptions/update", shop: "placeholder.myshopify.com", body: subscriptionPayload("ACTIVE") });
    headers["x-shopify-shop-domain"] = asHeaderBytes(shop);
    const res = await rawRequest(`${server.url}/webhooks`, { method: "POST", headers: Object.entries(headers), body });
    expect(res.status).toBe(400);
    expect(count("webhook_events")).toBe(0);
    expect(count("jobs")).toBe(0);
  });

  it.each(TRICKS)("leaves shop %j out of the page's CSP and HTML", async (shop) => {
    const res = await fetch(`${server.url}/?shop=${encodeURIComponent(shop)}&host=x&embedded=1`);
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get("content-security-policy")).toBe("frame-ancestors https://admin.shopify.com;");
    const html = await res.text();
    expect(html).not.toContain("<script>alert(1)");
    expect(html).not.toContain("onerror=alert");
    const token = await fetch(`${server.url}/assets/sandbox-token?shop=${encodeURIComponent(shop)}`);
    expect(token.status).toBe(400);
  });

  it("puts a valid shop (and only the first of repeated ones) in the CSP", async () => {
    const ok = await fetch(`${server.url}/?shop=good-shop.myshopify.com`);
    expect(ok.headers.get("content-security-policy")).toBe("frame-ancestors https://good-shop.myshopify.com https://admin.shopify.com;");
    const twice = await fetch(`${server.url}/?shop=good-shop.myshopify.com&shop=evil.com`);
    expect(twice.headers.get("content-security-policy")).not.toContain("evil");
    const evilFirst = await fetch(`${server.url}/?shop=evil.com&shop=good-shop.myshopify.com`);
    expect(evilFirst.headers.get("content-security-policy")).not.toContain("evil");
  });

  it.each(TRICKS)("refuses a correctly signed session token whose dest is %j (401, no side effect)", async (shop) => {
    const before = { shops: count("shops"), sessions: count("shopify_sessions") };
    const token = signToken(claimsFor("placeholder.myshopify.com", { dest: `https://${shop}`, iss: `https://${shop}/admin` }));
    for (const [method, path] of [["GET", "/api/account"], ["POST", "/api/login-link"], ["POST", "/api/billing/subscribe"]] as const) {
      const res = await fetch(`${server.url}${path}`, { method, headers: bearer(token) });
      expect(res.status, `${method} ${path}`).toBe(401);
    }
    expect({ shops: count("shops"), sessions: count("shopify_sessions") }).toEqual(before);
  });
});
