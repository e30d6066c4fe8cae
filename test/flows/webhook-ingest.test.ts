import { request } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildWebhookRequest, postWebhook, subscriptionPayload } from "../helpers/webhook-request.ts";
import { testBackends } from "../helpers/backends.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

describe.each(testBackends())("POST /webhooks ($name)", (backend) => {
  let server: TestServer;
  const count = (table: string) => (table === "jobs" ? server.jobsAdded() : server.count(table));
  const shop = "ingest-shop.myshopify.com";

  beforeAll(async () => { if (backend.available) server = await startTestServer(await backend.env("ingest")); });
  afterAll(async () => { await server?.close(); });
  beforeEach(({ skip }) => { if (!backend.available) skip("no PostgreSQL in this run"); });

  it.each([
    ["missing", (h: Record<string, string>) => { delete h["x-shopify-hmac-sha256"]; }],
    ["forged", (h: Record<string, string>) => { h["x-shopify-hmac-sha256"] = Buffer.alloc(32, 7).toString("base64"); }],
    ["hex instead of base64", (h: Record<string, string>) => { h["x-shopify-hmac-sha256"] = Buffer.from(h["x-shopify-hmac-sha256"]!, "base64").toString("hex"); }],
    ["truncated", (h: Record<string, string>) => { h["x-shopify-hmac-sha256"] = h["x-shopify-hmac-sha256"]!.slice(0, 20); }],
    ["garbage", (h: Record<string, string>) => { h["x-shopify-hmac-sha256"] = "%%%not base64%%%"; }],
  ])("answers 401 and stores nothing when the HMAC is %s", async (_name, mutate) => {
    const { body, headers } = buildWebhookRequest({ topic: "app_subscriptions/update", shop, body: subscriptionPayload("ACTIVE") });
    mutate(headers);
    const res = await fetch(`${server.url}/webhooks`, { method: "POST", body, headers });
    expect(res.status).toBe(401);
    expect(await count("webhook_events")).toBe(0);
    expect(await count("jobs")).toBe(0);
  });

  it("answers 401 when the body was changed after signing", async () => {
    const { body, headers } = buildWebhookRequest({ topic: "app_subscriptions/update", shop, body: subscriptionPayload("ACTIVE") });
    const res = await fetch(`${server.url}/webhooks`, { method: "POST", body: body.replace("ACTIVE", "ACTIVE "), headers });
    expect(res.status).toBe(401);
  });

  it("answers 401 when signed with another secret", async () => {
    const res = await postWebhook(server.url, { topic: "app_subscriptions/update", shop, body: subscriptionPayload("ACTIVE"), secret: "other-secret" });
    expect(res.status).toBe(401);
  });

  it.each([
    ["not JSON", "{not json"],
    ["empty", ""],
  ])("answers 400 for a signed body that is %s", async (_name, raw) => {
    const before = await count("webhook_events");
    const res = await postWebhook(server.url, { topic: "app_subscriptions/update", shop, body: raw });
    expect(res.status).toBe(400);
    expect(await count("webhook_events")).toBe(before);
  });

  it.each([
    ["a JSON array", "[1,2]", "app_subscription object missing or invalid"],
    ["a JSON string", '"hi"', "app_subscription object missing or invalid"],
    ["a subscription without status", JSON.stringify({ app_subscription: { admin_graphql_api_id: "gid://x" } }), "app_subscription object missing or invalid"],
    ["a subscription of a status unknown today", JSON.stringify(subscriptionPayload("PAUSED")), "unknown subscription status PAUSED"],
  ])("answers 200 for a signed body that is %s, and keeps it whole for the operator", async (_name, raw, reason) => {
    const eventId = `odd-${await count("webhook_events")}`;
    const res = await postWebhook(server.url, { topic: "app_subscriptions/update", shop, body: raw, eventId });
    expect(res.status).toBe(200);
    expect(await server.rows("select payload, unprocessable_reason as reason from webhook_events where event_id = @eventId", { eventId })).toEqual([{ payload: raw, reason }]);
    expect(await count("jobs")).toBe(0);
  });

  it("counts unprocessable deliveries in /metrics, as received and as still open", async () => {
    const open = await count("webhook_events where unprocessable_reason is not null");
    expect(open).toBeGreaterThan(0);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain(`webhooks_unprocessable{topic="app_subscriptions/update"} ${open}`);
    expect(metrics).toContain(`webhooks_received_total{topic="app_subscriptions/update",outcome="unprocessable"} ${open}`);
  });

  it.each([
    ["evil.com"], ["x.myshopify.com.evil.com"], ["UPPER.myshopify.com"], ["sp aced.myshopify.com"], ["a.myshopify.com/path"],
    ["a.myshopify.com:443"], ["'; drop table jobs;--.myshopify.com"], [""], ["x".repeat(300) + ".myshopify.com"],
  ])("answers 400 for shop domain %j", async (badShop) => {
    const before = await count("webhook_events");
    const res = await postWebhook(server.url, { topic: "app_subscriptions/update", shop: badShop, body: subscriptionPayload("ACTIVE") });
    expect(res.status).toBe(400);
    expect(await count("webhook_events")).toBe(before);
  });

  it("answers 400 when the topic or webhook id header is missing", async () => {
    for (const header of ["x-shopify-topic", "x-shopify-webhook-id", "x-shopify-api-version"]) {
      const { body, headers } = buildWebhookRequest({ topic: "app_subscriptions/update", shop, body: subscriptionPayload("ACTIVE") });
      delete headers[header];
      expect((await fetch(`${server.url}/webhooks`, { method: "POST", body, headers })).status, header).toBe(400);
    }
  });

  it("answers 413 for a body over 1 MiB", async () => {
    const res = await postWebhook(server.url, { topic: "orders/paid", shop, body: JSON.stringify({ pad: "x".repeat(1024 * 1024 + 10) }) });
    expect(res.status).toBe(413);
  });

  it("answers 413 to a 100 MB chunked upload without reading it all", async () => {
    const chunk = Buffer.alloc(64 * 1024, 120);
    const totalChunks = 1600; // 100 MiB
    const result = await new Promise<{ status: number; sent: number }>((resolve, reject) => {
      let sent = 0;
      const req = request(`${server.url}/webhooks`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-shopify-topic": "orders/paid", "x-shopify-hmac-sha256": "x" },
      }, (res) => { resolve({ status: res.statusCode ?? 0, sent }); res.resume(); req.destroy(); });
      req.on("error", (err) => (sent < totalChunks ? resolve({ status: -1, sent }) : reject(err)));
      const pump = () => {
        while (sent < totalChunks) {
          sent++;
          if (!req.write(chunk)) { req.once("drain", pump); return; }
        }
        req.end();
      };
      pump();
    });
    expect(result.status === 413 || result.status === -1).toBe(true);
    expect(result.sent).toBeLessThan(totalChunks);
  });

  it("accepts an unknown topic with 200 and no job", async () => {
    await server.worker.idle();
    const before = await count("jobs");
    const res = await postWebhook(server.url, { topic: "products/update", shop, body: { id: 1 } });
    expect(res.status).toBe(200);
    expect(await count("jobs")).toBe(before);
  });

  it("dedupes by event id, then by webhook id", async () => {
    // By kind on SQLite; on PostgreSQL graphile-worker deletes a job once it succeeds, so the events tell.
    const activations = () => (backend.name === "sqlite" ? server.count("jobs where kind = 'activate-shop'") : Promise.resolve(0));
    const before = { events: await count("webhook_events"), activations: await activations() };
    const deliver = (eventId: string | null, webhookId?: string) =>
      postWebhook(server.url, { topic: "app_subscriptions/update", shop, body: subscriptionPayload("ACTIVE"), eventId, webhookId });
    const statuses = [];
    for (const [eventId, webhookId] of [["evt-1"], ["evt-1"], [null, "wh-1"], [null, "wh-1"]] as const) statuses.push((await deliver(eventId, webhookId)).status);
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect(await count("webhook_events") - before.events).toBe(2);
    if (backend.name === "sqlite") expect(await activations() - before.activations).toBe(2);
  });

  it("records every delivery of an event that plans nothing, and plans nothing", async () => {
    // Earlier tests' jobs may still add follow-ups (graphile-worker numbers every job added).
    await server.worker.idle();
    const before = { events: await count("webhook_events"), jobs: await count("jobs") };
    for (let i = 0; i < 2; i++) {
      const res = await postWebhook(server.url, { topic: "orders/paid", shop, body: { id: 5, line_items: [] }, eventId: "evt-plain" });
      expect(res.status).toBe(200);
    }
    expect(await count("webhook_events") - before.events).toBe(2);
    expect(await count("jobs") - before.jobs).toBe(0);
  });
});
