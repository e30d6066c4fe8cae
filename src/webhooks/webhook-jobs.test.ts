import { describe, expect, it } from "vitest";
import { samplePayload } from "./sample-payloads.ts";
import { HANDLED_TOPICS, planWebhook } from "./webhook-jobs.ts";

const shop = "plan.myshopify.com";
const rules = (addonSkus: string[]) => ({ addonSkus, billingPlanName: "MouseStats Heatmaps" });
const planText = (topic: string, text: string, addonSkus: string[] = ["heat"]) =>
  planWebhook({ topic, shop, text, body: JSON.parse(text), triggeredAtMs: null, receivedAtMs: 1000 }, rules(addonSkus));
const plan = (topic: string, body: unknown, addonSkus: string[] = ["heat"]) => planText(topic, JSON.stringify(body), addonSkus);

describe("planWebhook", () => {
  it.each(HANDLED_TOPICS)("plans jobs for the handled topic %s", (topic) => {
    const result = plan(topic, samplePayload(topic, { shop, sku: "heat", email: "a@b.com" }));
    expect(result).toMatchObject({ kind: "jobs" });
  });

  it("ignores a topic the app does not handle", () => {
    expect(plan("products/update", { id: 1 })).toEqual({ kind: "ignore", reason: "topic not handled" });
  });

  it("activates the shop for an ACTIVE subscription, at the payload's updated_at", () => {
    const body = samplePayload("app_subscriptions/update", { shop, id: 5, at: "2026-11-01T00:00:00.000Z" });
    expect(plan("app_subscriptions/update", body)).toEqual({ kind: "jobs", jobs: [{
      kind: "activate-shop", idempotencyKey: null,
      payload: { shop, source: "subscription", sourceRef: "gid://shopify/AppSubscription/5", status: "ACTIVE", eventAtMs: Date.parse("2026-11-01T00:00:00.000Z"), receivedAtMs: 1000 },
    }] });
  });

  it("orders billing events by updated_at, then X-Shopify-Triggered-At, then arrival", () => {
    const body = samplePayload("app_subscriptions/update", { shop, id: 5, at: "2026-11-01T00:00:00-05:00" });
    const planned = planWebhook({ topic: "app_subscriptions/update", shop, text: JSON.stringify(body), body, triggeredAtMs: 777, receivedAtMs: 888 }, rules([]));
    expect(planned).toMatchObject({ jobs: [{ payload: { eventAtMs: Date.parse("2026-11-01T05:00:00Z"), triggeredAtMs: 777, receivedAtMs: 888 } }] });
  });

  it("grants access only for the configured plan's name, but applies any subscription's end", () => {
    const other = { app_subscription: { ...samplePayload("app_subscriptions/update", { shop, id: 6 }).app_subscription as object, name: "Another plan" } };
    expect(plan("app_subscriptions/update", other)).toEqual({ kind: "ignore", reason: 'subscription "Another plan" is not the heatmaps plan "MouseStats Heatmaps"' });
    const otherPurchase = { app_purchase_one_time: { ...samplePayload("app_purchases_one_time/update", { shop, id: 6 }).app_purchase_one_time as object, name: "Credits" } };
    expect(plan("app_purchases_one_time/update", otherPurchase).kind).toBe("ignore");
    const cancelled = { app_subscription: { ...(other.app_subscription as object), status: "CANCELLED" } };
    expect(plan("app_subscriptions/update", cancelled)).toMatchObject({ jobs: [{ kind: "deactivate-shop", payload: { source: "subscription", reason: "CANCELLED" } }] });
  });

  it.each(["CANCELLED", "DECLINED", "EXPIRED", "FROZEN"])("deactivates for %s", (status) => {
    const result = plan("app_subscriptions/update", samplePayload("app_subscriptions/update", { shop, status, id: 5 }));
    expect(result).toMatchObject({ kind: "jobs", jobs: [{ kind: "deactivate-shop", payload: { reason: status, sourceRef: "gid://shopify/AppSubscription/5" } }] });
  });

  it("ignores PENDING subscriptions and purchases", () => {
    expect(plan("app_subscriptions/update", samplePayload("app_subscriptions/update", { shop, status: "PENDING" })).kind).toBe("ignore");
    expect(plan("app_purchases_one_time/update", samplePayload("app_purchases_one_time/update", { shop, status: "PENDING" })).kind).toBe("ignore");
    expect(plan("app_purchases_one_time/update", samplePayload("app_purchases_one_time/update", { shop }))).toMatchObject({ kind: "jobs", jobs: [{ kind: "activate-shop", payload: { source: "purchase" } }] });
  });

  it("provisions an order's email when a line item carries an add-on SKU, in any case", () => {
    const body = samplePayload("orders/paid", { shop, id: 9, sku: "HEAT", email: " Buyer@Example.COM " });
    expect(plan("orders/paid", body)).toEqual({ kind: "jobs", jobs: [{ kind: "provision-order", idempotencyKey: null, payload: { shop, orderId: "9", email: "buyer@example.com", customerId: "10" } }] });
  });

  it.each([
    ["no add-on SKU", { sku: "shirt" }],
    ["not paid", { sku: "heat", status: "voided" }],
  ])("ignores an order with %s", (_name, extra) => {
    expect(plan("orders/paid", samplePayload("orders/paid", { shop, ...extra })).kind).toBe("ignore");
  });

  it("falls back to the customer's email; an add-on order with none is kept for the operator, not dropped", () => {
    const body = { id: 1, email: null, contact_email: "", customer: { email: "c@x.com" }, line_items: [{ sku: "heat" }] };
    expect(plan("orders/paid", body)).toMatchObject({ jobs: [{ payload: { email: "c@x.com", customerId: null } }] });
    expect(plan("orders/paid", { ...body, customer: null })).toEqual({
      kind: "unprocessable", reason: "add-on order has no email (protected customer data access, level 2, may be missing)",
    });
  });

  it("reads 64-bit ids exactly, from the raw body, never through a JS number", () => {
    const text = '{"id":820982911946154509,"email":"b@x.com","customer":{"id":115310627314723955},"line_items":[{"sku":"heat"}]}';
    expect(planText("orders/paid", text)).toMatchObject({ jobs: [{ payload: { orderId: "820982911946154509", customerId: "115310627314723955" } }] });
    // JSON.parse would have rounded both: 820982911946154500 and 115310627314723950.
    const redact = '{"shop_id":954889,"customer":{"id":9007199254740993,"email":"c@x.com"},"orders_to_redact":[9007199254740995,1]}';
    expect(planText("customers/redact", redact)).toMatchObject({ jobs: [{ payload: { customerId: "9007199254740993", orderIds: ["9007199254740995", "1"] } }] });
  });

  it.each([
    ["app_subscriptions/update", { app_subscription: { status: "ACTIVE" } }, "app_subscription object missing or invalid"],
    ["app_subscriptions/update", { nothing: true }, "app_subscription object missing or invalid"],
    ["app_subscriptions/update", [1, 2], "app_subscription object missing or invalid"],
    ["app_subscriptions/update", samplePayload("app_subscriptions/update", { shop, status: "PAUSED" }), "unknown subscription status PAUSED"],
    ["app_purchases_one_time/update", samplePayload("app_purchases_one_time/update", { shop, status: "REFUNDED" }), "unknown purchase status REFUNDED"],
    ["orders/paid", { id: 1 }, "order line_items missing or invalid"],
    ["orders/paid", { id: { nested: 1 }, line_items: [{ sku: "heat" }] }, "add-on order: id missing or invalid"],
    ["orders/paid", { id: 1.5, line_items: [{ sku: "heat" }] }, "add-on order: id missing or invalid"],
    ["orders/paid", { id: 2, email: "b@x.com", financial_status: "settled", line_items: [{ sku: "heat" }] }, "add-on order: unknown financial_status settled"],
    ["customers/redact", { customer: "x" }, "customer compliance payload invalid"],
  ])("keeps a %s body of an unexpected shape as unprocessable (%j)", (topic, body, reason) => {
    expect(plan(topic, body)).toEqual({ kind: "unprocessable", reason });
  });

  it("ignores an order without the add-on whatever else its body holds", () => {
    expect(plan("orders/paid", { id: "not an id", line_items: [{ sku: "shirt" }] }).kind).toBe("ignore");
  });

  it("plans the lifecycle and compliance topics", () => {
    expect(plan("app/uninstalled", samplePayload("app/uninstalled", { shop }))).toMatchObject({ jobs: [{ kind: "uninstall-shop", payload: { shop, eventAtMs: 1000 } }] });
    expect(planWebhook({ topic: "app/uninstalled", shop, text: "{}", body: {}, triggeredAtMs: 500, receivedAtMs: 1000 }, rules([])))
      .toMatchObject({ jobs: [{ payload: { eventAtMs: 500, receivedAtMs: 1000 } }] });
    expect(plan("customers/data_request", samplePayload("customers/data_request", { shop, id: 1, email: "C@X.com" })))
      .toMatchObject({ jobs: [{ kind: "report-customer-data", payload: { email: "c@x.com", orderIds: ["11"], customerId: "2" } }] });
    expect(plan("customers/redact", samplePayload("customers/redact", { shop, id: 1 }))).toMatchObject({ jobs: [{ kind: "redact-customer", payload: { orderIds: ["11"] } }] });
    expect(plan("shop/redact", samplePayload("shop/redact", { shop }))).toMatchObject({ jobs: [{ kind: "redact-shop", payload: { shop } }] });
    expect(plan("products/update", {})).toEqual({ kind: "ignore", reason: "topic not handled" });
  });
});
