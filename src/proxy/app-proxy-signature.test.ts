import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createAppProxyVerifier, signAppProxyQuery } from "./app-proxy-signature.ts";

const SECRET = "proxy-test-secret";
const verifier = createAppProxyVerifier({ apiKey: "k", apiSecret: SECRET, appUrl: "https://app.example.com" });
const now = () => String(Math.floor(Date.now() / 1000));

describe("app proxy signatures", () => {
  it("signs exactly as Shopify's library verifies (property): any keys, values, repeats and order", async () => {
    const key = fc.oneof(fc.constantFrom("email", "extra", "a", "Z", "path", "é"), fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !["shop", "signature", "timestamp", "hmac"].includes(k)));
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(key, fc.string({ maxLength: 12 })), { maxLength: 6 }), fc.constantFrom("", "42", "9007199254740993"), async (pairs, customer) => {
      const query = new URLSearchParams(pairs);
      query.set("shop", "sig.myshopify.com");
      query.set("logged_in_customer_id", customer);
      query.set("path_prefix", "/apps/heatmaps");
      query.set("timestamp", now());
      query.set("signature", signAppProxyQuery(query, SECRET));
      expect(await verifier.verify(query)).toBe(true);
      const tampered = new URLSearchParams(query);
      tampered.set("logged_in_customer_id", `${customer}1`);
      expect(await verifier.verify(tampered)).toBe(false);
    }), { numRuns: 200 });
  });

  it("matches Shopify's documented example (secret `hush`)", () => {
    // https://shopify.dev/docs/apps/build/online-store/app-proxies/authenticate-app-proxies
    const query = new URLSearchParams("extra=1&extra=2&shop=shop-name.myshopify.com&logged_in_customer_id=1&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555");
    expect(signAppProxyQuery(query, "hush")).toBe("4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb");
  });

  it.each([
    ["a stale timestamp (10 minutes old)", (q: URLSearchParams) => { q.set("timestamp", String(Math.floor(Date.now() / 1000) - 600)); q.set("signature", signAppProxyQuery(q, SECRET)); }],
    ["no signature", (q: URLSearchParams) => q.delete("signature")],
    ["another secret's signature", (q: URLSearchParams) => q.set("signature", signAppProxyQuery(q, "not-the-secret"))],
    ["a repeated shop", (q: URLSearchParams) => { q.append("shop", "other.myshopify.com"); q.set("signature", signAppProxyQuery(q, SECRET)); }],
  ])("refuses %s", async (_name, mutate) => {
    const query = new URLSearchParams({ shop: "sig.myshopify.com", logged_in_customer_id: "1", path_prefix: "/apps/heatmaps", timestamp: now() });
    query.set("signature", signAppProxyQuery(query, SECRET));
    mutate(query);
    expect(await verifier.verify(query)).toBe(false);
  });
});
