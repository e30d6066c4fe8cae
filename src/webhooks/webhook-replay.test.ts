import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../db/test-database.ts";
import { createTestQueue } from "../provisioning/test-queue.ts";
import { createWebhookReplay } from "./webhook-replay.ts";

describe("webhook replay", () => {
  let database: TestDatabase;
  const store = (row: { eventId: string; topic: string; payload: string | null; reason?: string | null }) =>
    database.sqlite.prepare(`insert into webhook_events (dedupe_key, event_id, webhook_id, topic, shop, received_at, payload, unprocessable_reason)
      values (?, ?, ?, ?, 'replay.myshopify.com', 1000, ?, ?)`).run(`${row.topic}|event:${row.eventId}`, row.eventId, `wh-${row.eventId}`, row.topic, row.payload, row.reason ?? null).lastInsertRowid;
  const replayer = (addonSkus: string[] = ["heat"]) => createWebhookReplay({ database, queue: createTestQueue(database), rules: { addonSkus, billingPlanName: "MouseStats Heatmaps" }, now: () => 5000 });
  const jobs = () => database.sqlite.prepare("select kind, payload from jobs").all();
  const row = (id: number | bigint) => database.sqlite.prepare("select unprocessable_reason reason, replayed_at from webhook_events where id = ?").get(id);

  beforeEach(() => { database = createTestDatabase(); });
  afterEach(() => database.close());

  it("plans a delivery kept as unprocessable again, enqueues its jobs and clears it", async () => {
    // A body an older build could not read; today's planner can.
    const body = '{"id":820982911946154508,"email":"b@x.com","line_items":[{"sku":"HEAT"}]}';
    const id = store({ eventId: "e1", topic: "orders/paid", payload: body, reason: "add-on order: id missing or invalid" });
    expect(await replayer().listUnprocessable()).toMatchObject([{ id: Number(id), topic: "orders/paid", eventId: "e1", reason: "add-on order: id missing or invalid" }]);
    expect(await replayer().replay("e1")).toEqual({ status: "replayed", id: Number(id), jobs: ["provision-order"] });
    expect(jobs()).toEqual([{ kind: "provision-order", payload: JSON.stringify({ shop: "replay.myshopify.com", orderId: "820982911946154508", email: "b@x.com", customerId: null }) }]);
    expect(row(id)).toEqual({ reason: null, replayed_at: 5000 });
    expect(await replayer().listUnprocessable()).toEqual([]);
  });

  it("finds a delivery by row id, event id or webhook id", async () => {
    const id = store({ eventId: "e2", topic: "shop/redact", payload: "{}" });
    for (const ref of [String(id), "e2", "wh-e2", " e2 "]) expect(await replayer().replay(ref)).toMatchObject({ status: "replayed", id: Number(id) });
  });

  it("keeps a body it still cannot act on, with today's reason", async () => {
    const id = store({ eventId: "e3", topic: "app_subscriptions/update", payload: '{"app_subscription":{"admin_graphql_api_id":"gid://x","name":"MouseStats Heatmaps","status":"PAUSED"}}', reason: "old reason" });
    expect(await replayer().replay("e3")).toEqual({ status: "unprocessable", id: Number(id), reason: "unknown subscription status PAUSED" });
    expect(row(id)).toEqual({ reason: "unknown subscription status PAUSED", replayed_at: 5000 });
    expect(jobs()).toEqual([]);
  });

  it("clears a delivery that today's planner ignores, and says why", async () => {
    const id = store({ eventId: "e4", topic: "orders/paid", payload: '{"id":1,"line_items":[{"sku":"shirt"}]}', reason: "old reason" });
    expect(await replayer().replay("e4")).toEqual({ status: "ignored", id: Number(id), reason: "no add-on SKU in the order" });
    expect(row(id)).toEqual({ reason: null, replayed_at: 5000 });
  });

  it("says so when nothing matches, or the body was not kept", async () => {
    const id = store({ eventId: "e5", topic: "orders/paid", payload: null });
    expect(await replayer().replay("e5")).toEqual({ status: "no payload", id: Number(id) });
    expect(await replayer().replay("nope")).toEqual({ status: "not found" });
  });
});
