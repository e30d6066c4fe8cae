import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseShopDomain } from "../../src/shopify/shop-domain.ts";
import { createWebhookSigner } from "../../src/shopify/webhook-hmac.ts";
import { samplePayload } from "../../src/webhooks/sample-payloads.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";
import { rawRequest } from "../security/support/raw-http.ts";

const SECRET = "sandbox-api-secret";
const isJson = (text: string) => { try { JSON.parse(text); return true; } catch { return false; } };
const TOPICS = [
  "app_subscriptions/update", "app_purchases_one_time/update", "orders/paid", "app/uninstalled",
  "customers/data_request", "customers/redact", "shop/redact", "products/update",
];
const HMAC_MODES = ["valid", "missing", "random", "other-secret", "hex", "garbage", "other-body", "twice"] as const;

// Any byte node:http lets into a header value: tab, printable ASCII, Latin-1.
const headerChar = fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }), fc.constant(9))
  .map((c) => String.fromCharCode(c));
const headerText = (maxLength: number) => fc.string({ unit: headerChar, maxLength });
const validShop = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/).map((h) => `${h}.myshopify.com`);
const mostly = <T>(usual: fc.Arbitrary<T>, ...odd: Array<fc.Arbitrary<T>>) =>
  fc.oneof({ arbitrary: usual, weight: 5 * odd.length }, ...odd.map((arbitrary) => ({ arbitrary, weight: 1 })));
const shopHeader = mostly(
  validShop,
  fc.constantFrom("evil.com", "x.myshopify.com.evil.com", "UPPER.myshopify.com", "a.myshopify.com:443", "-a.myshopify.com", "a..myshopify.com"),
  validShop.map((s) => s.toUpperCase()), headerText(80),
);
const somePatch = fc.dictionary(fc.constantFrom("id", "email", "line_items", "status", "app_subscription", "app_purchase_one_time", "customer", "updated_at", "x"), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 3 });
const patch = fc.oneof({ arbitrary: fc.constant({}), weight: 3 }, { arbitrary: somePatch, weight: 1 });
const payloadFor = (topic: string) => fc.record({
  email: fc.option(fc.emailAddress(), { nil: undefined }),
  sku: fc.option(mostly(fc.constantFrom("mousestats-heatmaps", "MOUSESTATS-HEATMAPS"), fc.string({ maxLength: 30 })), { nil: undefined }),
  status: fc.option(fc.constantFrom("ACTIVE", "CANCELLED", "PENDING", "paid", "weird"), { nil: undefined }),
  patch, inner: patch,
}).map(({ email, sku, status, patch: top, inner }) => {
  const body = samplePayload(topic, { shop: "p.myshopify.com", email, sku, status });
  for (const value of Object.values(body)) if (value && typeof value === "object" && !Array.isArray(value)) Object.assign(value, inner);
  return JSON.stringify({ ...body, ...top });
});

const delivery = fc.constantFrom(...TOPICS).chain((topic) => fc.record({
  topic: mostly(fc.constant(topic), headerText(40)),
  shop: shopHeader,
  webhookId: mostly(fc.uuid(), headerText(140), fc.constant(undefined)),
  eventId: mostly(fc.uuid(), headerText(140), fc.constant(undefined)),
  apiVersion: mostly(fc.constant("2026-10"), headerText(20), fc.constant(undefined)),
  triggeredAt: mostly(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), headerText(30), fc.constant(undefined)),
  body: mostly(payloadFor(topic), fc.json({ maxDepth: 3 }), fc.string({ unit: "binary", maxLength: 200 }), fc.constant("")),
  hmac: mostly(fc.constant<(typeof HMAC_MODES)[number]>("valid"), ...HMAC_MODES.slice(1).map((m) => fc.constant(m))),
  garbage: headerText(60),
}));

describe("POST /webhooks under random deliveries (property)", () => {
  let server: TestServer;
  const signer = createWebhookSigner(SECRET);
  const count = (table: string) => (server.database.sqlite.prepare(`select count(*) n from ${table}`).get() as { n: number }).n;

  beforeAll(async () => {
    server = await startTestServer({ ADDON_SKUS: "mousestats-heatmaps" });
    // Job counts must move only with answers; the worker runs what was stored at the end.
    await server.worker.stop(1000);
  });
  afterAll(async () => { await server.close(); });

  it("never answers 5xx, stores an event only when its HMAC is valid, and refuses a verified JSON body only for its headers", async () => {
    const statuses = new Map<number, number>();
    await fc.assert(fc.asyncProperty(delivery, async (d) => {
      const right = signer.sign(d.body);
      const hmac: Record<(typeof HMAC_MODES)[number], string[]> = {
        valid: [right], missing: [], twice: [right, right], garbage: [d.garbage],
        random: [Buffer.from(right, "base64").reverse().toString("base64")],
        "other-secret": [createWebhookSigner("another-secret").sign(d.body)],
        hex: [Buffer.from(right, "base64").toString("hex")],
        "other-body": [signer.sign(`${d.body}\n`)],
      };
      const headers: Array<[string, string]> = [["content-type", "application/json"], ["x-shopify-topic", d.topic], ["x-shopify-shop-domain", d.shop]];
      for (const [name, value] of [["x-shopify-webhook-id", d.webhookId], ["x-shopify-event-id", d.eventId], ["x-shopify-api-version", d.apiVersion], ["x-shopify-triggered-at", d.triggeredAt]] as const) {
        if (value !== undefined) headers.push([name, value]);
      }
      for (const value of hmac[d.hmac]) headers.push(["x-shopify-hmac-sha256", value]);
      const before = { events: count("webhook_events"), jobs: count("jobs") };
      const res = await rawRequest(`${server.url}/webhooks`, { method: "POST", headers, body: d.body });
      const after = { events: count("webhook_events"), jobs: count("jobs") };

      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status).toBeLessThan(500);
      if (d.hmac !== "valid") expect(res.status).toBe(401);
      else expect([200, 400]).toContain(res.status);
      // A verified JSON body is never refused for its shape: only its headers or non-JSON bytes get a 400.
      if (res.status === 400 && isJson(d.body)) expect(res.body).toMatch(/header/);
      if (res.status !== 200) expect(after).toEqual(before);
      else expect(after.events - before.events).toBeLessThanOrEqual(1);
    }), { numRuns: 400 });

    // The generators must reach every branch, not only the early rejections.
    expect(statuses.get(200)).toBeGreaterThan(70);
    expect(statuses.get(400)).toBeGreaterThan(20);
    expect(statuses.get(401)).toBeGreaterThan(30);
    const shops = server.database.sqlite.prepare("select distinct shop from webhook_events").all() as { shop: string }[];
    for (const { shop } of shops) expect(parseShopDomain(shop)).toBe(shop);
  });

  it("runs every stored job to an end without crashing the worker", async () => {
    server.worker.start();
    await server.worker.idle();
    expect(count("jobs where status in ('pending', 'running')")).toBe(0);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
