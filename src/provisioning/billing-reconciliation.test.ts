import { describe, expect, it } from "vitest";
import { createTestDatabase } from "../db/test-database.ts";
import { createSilentLogger } from "../logger.ts";
import type { JobContext } from "../queue/job-handler.ts";
import { createTestQueue } from "./test-queue.ts";
import type { BillingObject } from "../shopify/shopify-admin.ts";
import { planBillingReconciliation, reconcileBillingHandler, requestBillingCheck } from "./billing-reconciliation.ts";

const shop = "truth.myshopify.com";
const object = (id: number, status: string, name = "MouseStats Heatmaps", source: "subscription" | "purchase" = "subscription"): BillingObject => ({
  id: `gid://shopify/${source === "subscription" ? "AppSubscription" : "AppPurchaseOneTime"}/${id}`, source, name, status, test: false, createdAt: null, trialDays: null, currentPeriodEnd: null,
});
const plan = (shopify: BillingObject[], known: Array<{ sourceRef: string; status: string }>) =>
  planBillingReconciliation({ shop, planName: "MouseStats Heatmaps", shopify, known, nowMs: 5000 });

describe("planBillingReconciliation", () => {
  it("activates what Shopify says is ACTIVE and we never heard of (a lost webhook), dated now", () => {
    expect(plan([object(1, "ACTIVE")], [])).toEqual([{ kind: "activate-shop", payload: {
      shop, source: "subscription", sourceRef: "gid://shopify/AppSubscription/1", status: "ACTIVE", eventAtMs: 5000, triggeredAtMs: 5000, receivedAtMs: 5000,
    } }]);
    expect(plan([object(2, "ACTIVE", undefined, "purchase")], [{ sourceRef: "gid://shopify/AppPurchaseOneTime/2", status: "PENDING" }]))
      .toMatchObject([{ kind: "activate-shop", payload: { source: "purchase" } }]);
  });

  it.each(["CANCELLED", "DECLINED", "EXPIRED", "FROZEN"])("withdraws what we hold ACTIVE and Shopify says is %s", (status) => {
    expect(plan([object(1, status)], [{ sourceRef: "gid://shopify/AppSubscription/1", status: "ACTIVE" }]))
      .toEqual([{ kind: "deactivate-shop", payload: expect.objectContaining({ sourceRef: "gid://shopify/AppSubscription/1", reason: status, source: "subscription", eventAtMs: 5000 }) }]);
  });

  it("changes nothing where we agree, for PENDING, or for another plan's subscription", () => {
    expect(plan([object(1, "ACTIVE"), object(2, "CANCELLED")], [{ sourceRef: "gid://shopify/AppSubscription/1", status: "ACTIVE" }, { sourceRef: "gid://shopify/AppSubscription/2", status: "CANCELLED" }])).toEqual([]);
    expect(plan([object(3, "PENDING")], [])).toEqual([]);
    expect(plan([object(4, "ACTIVE", "Another plan")], [])).toEqual([]);
    expect(plan([object(5, "CANCELLED")], [])).toEqual([]);
  });
});

describe("reconcile-billing job", () => {
  const ctx = { signal: new AbortController().signal, logger: createSilentLogger() } as JobContext;

  function setUp(answer: BillingObject[] | null) {
    const database = createTestDatabase();
    const queue = createTestQueue(database);
    let woken = 0;
    const handler = reconcileBillingHandler({
      database, queue, planName: "MouseStats Heatmaps", onEnqueued: () => { woken++; }, now: () => 7000,
      readBillingState: async () => answer,
    });
    const jobs = () => database.sqlite.prepare("select kind from jobs order by id").pluck().all();
    const checkedAt = () => database.sqlite.prepare("select billing_checked_at from shops where domain = ?").pluck().get(shop);
    return { database, queue, handler, jobs, checkedAt, woken: () => woken };
  }

  it("enqueues the corrections a webhook would have planned, records the check, and wakes the worker", async () => {
    const t = setUp([object(1, "ACTIVE")]);
    await t.handler.run({ shop, why: "return" }, ctx);
    expect(t.jobs()).toEqual(["activate-shop"]);
    expect(t.checkedAt()).toBe(7000);
    expect(t.woken()).toBe(1);
  });

  it("only records the check for a shop the app holds no session for", async () => {
    const t = setUp(null);
    await t.handler.run({ shop, why: "sweep" }, ctx);
    expect(t.jobs()).toEqual([]);
    expect(t.checkedAt()).toBe(7000);
  });

  it("spaces the page's checks 30 s apart, but never the return from the charge", async () => {
    const t = setUp([]);
    let now = 100_000;
    const request = (why: "page" | "return") => requestBillingCheck({ database: t.database, queue: t.queue, now: () => now }, shop, why);
    t.database.sqlite.prepare("insert into shops (domain, billing_checked_at) values (?, ?)").run(shop, 90_000);
    expect(await request("page")).toBe(false);
    expect(await request("return")).toBe(true);
    expect(await request("return")).toBe(false); // one waits already
    now = 121_000;
    t.database.sqlite.prepare("delete from jobs").run();
    expect(await request("page")).toBe(true);
  });
});
