import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";
import { postWebhook, subscriptionPayload } from "../helpers/webhook-request.ts";

interface BillingEvent { topic: string; body: unknown; at: number }

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute)).toISOString();

/**
 * A shop's billing history in time order: subscriptions approved one after another (approving a
 * replacement cancels the one before, as Shopify does), perhaps a one-time purchase, perhaps a
 * final cancellation.
 */
const history = fc.record({ subscriptions: fc.integer({ min: 1, max: 3 }), purchaseAt: fc.option(fc.nat(6), { nil: undefined }), cancelLast: fc.boolean() })
  .map(({ subscriptions, purchaseAt, cancelLast }) => {
    const events: BillingEvent[] = [];
    for (let i = 0; i < subscriptions; i++) {
      events.push({ topic: "app_subscriptions/update", body: subscriptionPayload("ACTIVE", `gid://shopify/AppSubscription/${i}`, at(2 * i)), at: 2 * i });
      if (i > 0) events.push({ topic: "app_subscriptions/update", body: subscriptionPayload("CANCELLED", `gid://shopify/AppSubscription/${i - 1}`, at(2 * i + 1)), at: 2 * i + 1 });
    }
    if (cancelLast) events.push({ topic: "app_subscriptions/update", body: subscriptionPayload("CANCELLED", `gid://shopify/AppSubscription/${subscriptions - 1}`, at(20)), at: 20 });
    if (purchaseAt !== undefined) {
      events.push({ topic: "app_purchases_one_time/update", body: { app_purchase_one_time: { admin_graphql_api_id: "gid://shopify/AppPurchaseOneTime/1", status: "ACTIVE", updated_at: at(purchaseAt) } }, at: purchaseAt });
    }
    return events.sort((a, b) => a.at - b.at);
  });

describe("billing webhooks in any order (property)", () => {
  let server: TestServer;
  let n = 0;
  beforeAll(async () => { server = await startTestServer(); });
  afterAll(async () => { await server.close(); });

  async function accessAfter(events: readonly BillingEvent[]): Promise<boolean> {
    const shop = `order-${n++}.myshopify.com`;
    for (const e of events) {
      expect((await postWebhook(server.url, { topic: e.topic, shop, body: e.body })).status).toBe(200);
      await server.worker.idle();
    }
    return server.database.sqlite.prepare("select 1 from shop_accounts where shop = ? and source in ('subscription', 'purchase') and access = 'active'").get(shop) !== undefined;
  }

  // Found a real bug when the newest event time was kept per shop (a replacement's ACTIVE arriving
  // after the old subscription's CANCELLED was dropped); `shop_billing` keeps it per object.
  it("gives the shop the same access whatever order the events arrive in", async () => {
    await fc.assert(fc.asyncProperty(history.chain((events) => fc.tuple(fc.constant(events), fc.shuffledSubarray(events, { minLength: events.length }))),
      async ([inOrder, shuffled]) => {
        expect(await accessAfter(shuffled)).toBe(await accessAfter(inOrder));
      }), { numRuns: 100 });
  });
});
