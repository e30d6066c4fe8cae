import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startClockedServer, type ClockedServer } from "./support/clocked-server.ts";
import { waitFor } from "../helpers/test-server.ts";
import { buildWebhookRequest, orderPayload, subscriptionPayload } from "../helpers/webhook-request.ts";

const HOUR_MS = 3_600_000;
const shop = "replay-shop.myshopify.com";
const email = "replay-shop@example.com";
const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 12, minutes)).toISOString();

/** A captured delivery: its exact bytes and headers, as an attacker on the path would keep them. */
const capture = (topic: string, body: unknown, eventId: string) => buildWebhookRequest({ topic, shop, body, eventId, webhookId: `wh-${eventId}`, triggeredAt: at(0) });

describe("replayed webhooks", () => {
  let clocked: ClockedServer;
  const url = () => clocked.running.url;
  const sql = (query: string, ...params: unknown[]) => clocked.running.database.sqlite.prepare(query).get(...params) as Record<string, unknown>;
  const events = () => sql("select count(*) n from webhook_events").n;
  const access = () => sql("select access from shop_accounts where shop = ? and source = 'subscription'", shop)?.access;
  const creates = () => clocked.running.simulator!.createAccountCalls(email);
  const deliver = async (request: { body: string; headers: Record<string, string> }, headers: Record<string, string> = {}) => {
    const res = await fetch(`${url()}/webhooks`, { method: "POST", body: request.body, headers: { ...request.headers, ...headers } });
    await clocked.running.worker.idle();
    return res.status;
  };

  const activated = capture("app_subscriptions/update", subscriptionPayload("ACTIVE", "gid://shopify/AppSubscription/1", at(0)), "evt-active");
  const cancelled = capture("app_subscriptions/update", subscriptionPayload("CANCELLED", "gid://shopify/AppSubscription/1", at(1)), "evt-cancel");

  beforeAll(async () => {
    clocked = await startClockedServer();
    expect(await deliver(activated)).toBe(200);
    await waitFor(() => sql("select status from accounts where email = ?", email)?.status === "active", 10_000, "account active");
    expect(await deliver(cancelled)).toBe(200);
    expect(access()).toBe("inactive");
  });
  afterAll(async () => { await clocked.close(); });

  it("ignores the same event (same event id) delivered again hours later", async () => {
    clocked.advanceClock(6 * HOUR_MS);
    const before = { events: events(), jobs: sql("select count(*) n from jobs").n };
    expect(await deliver(activated)).toBe(200);
    expect(await deliver(activated, { "x-shopify-webhook-id": "wh-fresh", "x-shopify-triggered-at": new Date().toISOString() })).toBe(200);
    expect({ events: events(), jobs: sql("select count(*) n from jobs").n }).toEqual(before);
    expect(access()).toBe("inactive");
    expect(creates()).toBe(1);
  });

  it("gives a captured body under a new event id no effect: the body's own time says it is old", async () => {
    clocked.advanceClock(3 * HOUR_MS);
    expect(await deliver(activated, { "x-shopify-event-id": "evt-forged-id", "x-shopify-webhook-id": "wh-forged-id" })).toBe(200);
    expect(access()).toBe("inactive");
    expect(creates()).toBe(1);
  });

  it("cannot revoke a newer subscription by replaying an old cancellation", async () => {
    const renewed = capture("app_subscriptions/update", subscriptionPayload("ACTIVE", "gid://shopify/AppSubscription/1", at(2)), "evt-renew");
    expect(await deliver(renewed)).toBe(200);
    expect(access()).toBe("active");
    clocked.advanceClock(HOUR_MS);
    expect(await deliver(cancelled)).toBe(200);
    expect(await deliver(cancelled, { "x-shopify-event-id": "evt-cancel-again", "x-shopify-webhook-id": "wh-cancel-again" })).toBe(200);
    expect(access()).toBe("active");
  });

  it("never creates an account twice when an add-on order is replayed under new ids", async () => {
    const order = capture("orders/paid", orderPayload({ id: 77, email, skus: ["MOUSESTATS-HEATMAPS"] }), "evt-order");
    for (let i = 0; i < 5; i++) {
      clocked.advanceClock(HOUR_MS);
      expect(await deliver(order, { "x-shopify-event-id": `evt-order-${i}`, "x-shopify-webhook-id": `wh-order-${i}` })).toBe(200);
    }
    expect(creates()).toBe(1);
    expect(sql("select count(*) n from accounts").n).toBe(1);
  });
});
