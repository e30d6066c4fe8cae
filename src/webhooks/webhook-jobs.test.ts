import { describe, expect, it } from "vitest";
import { samplePayload } from "./sample-payloads.ts";
import { HANDLED_TOPICS, planWebhook } from "./webhook-jobs.ts";

const shop = "plan.myshopify.com";
const plan = (topic: string, body: unknown, addonSkus: string[] = ["heat"]) => planWebhook({ topic, shop, body, eventAtMs: 1000, addonSkus });

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
      payload: { shop, source: "subscription", sourceRef: "gid://shopify/AppSubscription/5", status: "ACTIVE", eventAtMs: Date.parse("2026-11-01T00:00:00.000Z") },
    }] });
  });

  it.each(["CANCELLED", "DECLINED", "EXPIRED", "FROZEN"])("deactivates for %s", (status) => {
    const result = plan("app_subscriptions/update", samplePayload("app_subscriptions/update", { shop, status, id: 5 }));
    expect(result).toMatchObject({ kind: "jobs", jobs: [{ kind: "deactivate-shop", payload: { reason: status, sourceRef: "gid://shopify/AppSubscription/5" } }] });
  });

  it("ignores PENDING subscriptions and non-ACTIVE one-time purchases", () => {
    expect(plan("app_subscriptions/update", samplePayload("app_subscriptions/update", { shop, status: "PENDING" })).kind).toBe("ignore");
    expect(plan("app_purchases_one_time/update", samplePayload("app_purchases_one_time/update", { shop, status: "DECLINED" })).kind).toBe("ignore");
    expect(plan("app_purchases_one_time/update", samplePayload("app_purchases_one_time/update", { shop }))).toMatchObject({ kind: "jobs", jobs: [{ kind: "activate-shop", payload: { source: "purchase" } }] });
  });

  it("provisions an order's email when a line item carries an add-on SKU, in any case", () => {
    const body = samplePayload("orders/paid", { shop, id: 9, sku: "HEAT", email: " Buyer@Example.COM " });
    expect(plan("orders/paid", body)).toEqual({ kind: "jobs", jobs: [{ kind: "provision-order", idempotencyKey: null, payload: { shop, orderId: "9", email: "buyer@example.com" } }] });
  });

  it.each([
    ["no add-on SKU", { sku: "shirt" }],
    ["not paid", { sku: "heat", status: "voided" }],
  ])("ignores an order with %s", (_name, extra) => {
    expect(plan("orders/paid", samplePayload("orders/paid", { shop, ...extra })).kind).toBe("ignore");
  });

  it("falls back to the customer's email, and ignores an order with none", () => {
    const body = { id: 1, email: null, contact_email: "", customer: { email: "c@x.com" }, line_items: [{ sku: "heat" }] };
    expect(plan("orders/paid", body)).toMatchObject({ jobs: [{ payload: { email: "c@x.com" } }] });
    expect(plan("orders/paid", { ...body, customer: null }).kind).toBe("ignore");
  });

  it.each([
    ["app_subscriptions/update", { app_subscription: { status: "ACTIVE" } }],
    ["app_subscriptions/update", { nothing: true }],
    ["orders/paid", { id: 1 }],
    ["orders/paid", { id: { nested: 1 }, line_items: [] }],
    ["customers/redact", { customer: "x" }],
  ])("rejects a malformed %s body", (topic, body) => {
    expect(plan(topic, body).kind).toBe("malformed");
  });

  it("plans the lifecycle and compliance topics", () => {
    expect(plan("app/uninstalled", samplePayload("app/uninstalled", { shop }))).toMatchObject({ jobs: [{ kind: "uninstall-shop", payload: { shop, eventAtMs: 1000 } }] });
    expect(plan("customers/data_request", samplePayload("customers/data_request", { shop, id: 1, email: "C@X.com" })))
      .toMatchObject({ jobs: [{ kind: "report-customer-data", payload: { email: "c@x.com", orderIds: ["11"], customerId: "2" } }] });
    expect(plan("customers/redact", samplePayload("customers/redact", { shop, id: 1 }))).toMatchObject({ jobs: [{ kind: "redact-customer", payload: { orderIds: ["11"] } }] });
    expect(plan("shop/redact", samplePayload("shop/redact", { shop }))).toMatchObject({ jobs: [{ kind: "redact-shop", payload: { shop } }] });
    expect(plan("products/update", {})).toEqual({ kind: "ignore", reason: "topic not handled" });
  });
});
