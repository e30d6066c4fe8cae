import { afterAll, beforeAll, expect, it } from "vitest";
import { HANDLED_TOPICS } from "../../src/webhooks/webhook-jobs.ts";
import { editExample, shopifyExample, tomlWebhookTopics } from "../helpers/shopify-fixtures.ts";
import { describeEachBackend } from "../helpers/backends.ts";
import { startTestServer, waitFor, type TestServer } from "../helpers/test-server.ts";
import { postWebhook } from "../helpers/webhook-request.ts";

/**
 * Shopify's own documented example payloads, signed as Shopify signs, for every topic the app
 * subscribes to: each is answered 200 and has its effect. The add-on SKU is one of the example
 * order's own SKUs.
 */
describeEachBackend("Shopify's documented example payloads", (backend) => {
  let server: TestServer;
  let n = 0;
  const post = async (topic: string, body: string, shop = `example-${++n}.myshopify.com`) => {
    const res = await postWebhook(server.url, { topic, shop, body, eventId: `example-${n}` });
    expect(res.status).toBe(200);
    await server.worker.idle();
    const [event] = await server.rows("select case when has_effect then 1 else 0 end as has_effect, payload, unprocessable_reason from webhook_events where event_id = @id", { id: `example-${n}` });
    return { shop, event };
  };
  const account = async (email: string) => (await server.rows<{ status: string }>("select status from accounts where email = @email", { email }))[0];
  const mappings = (shop: string) => server.rows("select account_email as email, source, source_ref as ref, access from shop_accounts where shop = @shop", { shop });
  const paidOrder = (edits: ReadonlyArray<readonly [string, string]> = []) =>
    editExample(shopifyExample("orders/paid"), [['"financial_status": "voided"', '"financial_status": "paid"'], ...edits]);

  beforeAll(async () => { server = await startTestServer({ ...await backend.env(), ADDON_SKUS: "LENS-PROTECT-2YR" }); });
  afterAll(async () => { await server?.close(); });

  it("has an example for every topic in shopify.app.toml, and the app plans exactly those topics", () => {
    const topics = tomlWebhookTopics();
    expect([...topics].sort()).toEqual([...HANDLED_TOPICS].sort());
    for (const topic of topics) expect(() => JSON.parse(shopifyExample(topic)), topic).not.toThrow();
  });

  const ourPlan: [string, string] = ['"name": "Webhook Test"', '"name": "MouseStats Heatmaps"'];

  it("app_subscriptions/update: the example (PENDING) is stored and changes nothing; ACTIVE provisions the shop, for the configured plan only", async () => {
    const pending = await post("app_subscriptions/update", shopifyExample("app_subscriptions/update"));
    expect(pending.event).toMatchObject({ has_effect: 0, unprocessable_reason: null });
    expect(await mappings(pending.shop)).toEqual([]);
    const otherPlan = await post("app_subscriptions/update", editExample(shopifyExample("app_subscriptions/update"), [['"status": "PENDING"', '"status": "ACTIVE"']]));
    expect(otherPlan.event).toMatchObject({ has_effect: 0 });
    expect(await mappings(otherPlan.shop)).toEqual([]);

    const active = await post("app_subscriptions/update", editExample(shopifyExample("app_subscriptions/update"), [['"status": "PENDING"', '"status": "ACTIVE"'], ourPlan]));
    const email = active.shop.replace(".myshopify.com", "@example.com");
    await waitFor(async () => (await account(email))?.status === "active", 5000, "account active");
    expect(await mappings(active.shop)).toEqual([{ email, source: "subscription", ref: "gid://shopify/AppSubscription/1029266977", access: "active" }]);
  });

  it("app_purchases_one_time/update: the example (PENDING) changes nothing; ACTIVE provisions the shop", async () => {
    const pending = await post("app_purchases_one_time/update", shopifyExample("app_purchases_one_time/update"));
    expect(await mappings(pending.shop)).toEqual([]);
    const active = await post("app_purchases_one_time/update", editExample(shopifyExample("app_purchases_one_time/update"), [['"status": "PENDING"', '"status": "ACTIVE"'], ourPlan]));
    const email = active.shop.replace(".myshopify.com", "@example.com");
    await waitFor(async () => (await account(email))?.status === "active", 5000, "account active");
    expect(await mappings(active.shop)).toMatchObject([{ email, source: "purchase", ref: "gid://shopify/AppPurchaseOneTime/1017262364" }]);
  });

  it("orders/paid: the example (voided) is accepted and ignored; paid, it provisions the buyer under the exact 64-bit order id", async () => {
    const voided = await post("orders/paid", shopifyExample("orders/paid"));
    expect(voided.event).toMatchObject({ has_effect: 0, unprocessable_reason: null });
    expect(await mappings(voided.shop)).toEqual([]);

    const paid = await post("orders/paid", paidOrder());
    await waitFor(async () => (await account("jon@example.com"))?.status === "active", 5000, "buyer's account active");
    expect(await mappings(paid.shop)).toEqual([{ email: "jon@example.com", source: "order", ref: "820982911946154508", access: "active" }]);
    // The job's payload: SQLite keeps the job, graphile-worker deletes it once it succeeded.
    if (backend.name === "sqlite") {
      const [job] = await server.rows<{ payload: string }>("select payload from jobs where kind = 'provision-order'");
      expect(JSON.parse(job!.payload)).toMatchObject({ orderId: "820982911946154508", customerId: "115310627314723954" });
    }
  });

  it.each([
    ["email and contact_email null: the customer's email", [['"email": "jon@example.com"', '"email": null'], ['"contact_email": "jon@example.com"', '"contact_email": null']], "john@example.com"],
    ["customer null: the order's email", [['"customer": {', '"customer": null, "was_customer": {']], "jon@example.com"],
  ] as const)("orders/paid with %s", async (_name, edits, email) => {
    const { shop } = await post("orders/paid", paidOrder(edits));
    await waitFor(async () => (await mappings(shop)).length === 1, 5000, "mapping");
    expect(await mappings(shop)).toMatchObject([{ email, source: "order", ref: "820982911946154508" }]);
  });

  it("orders/paid with every email and the customer null: kept whole as unprocessable for the operator", async () => {
    const body = paidOrder([['"email": "jon@example.com"', '"email": null'], ['"contact_email": "jon@example.com"', '"contact_email": null'], ['"customer": {', '"customer": null, "was_customer": {']]);
    const { shop, event } = await post("orders/paid", body);
    expect(event).toEqual({ has_effect: 1, payload: body, unprocessable_reason: "add-on order has no email (protected customer data access, level 2, may be missing)" });
    expect(await mappings(shop)).toEqual([]);
  });

  it("orders/paid with every sku null: no add-on, ignored", async () => {
    const body = paidOrder([['"sku": "LENS-PROTECT-2YR"', '"sku": null']]);
    const { shop, event } = await post("orders/paid", body);
    expect(event).toMatchObject({ has_effect: 0 });
    expect(await mappings(shop)).toEqual([]);
  });

  it("app/scopes_update: keeps the granted scopes on the shop", async () => {
    const { shop } = await post("app/scopes_update", shopifyExample("app/scopes_update"));
    expect(await server.rows("select scopes from shops where domain = @shop", { shop })).toEqual([{ scopes: "read_products,write_products" }]);
  });

  it("app/uninstalled: marks the shop uninstalled", async () => {
    const { shop } = await post("app/uninstalled", shopifyExample("app/uninstalled"));
    expect(await server.rows("select case when uninstalled_at is not null then 1 else 0 end as gone from shops where domain = @shop", { shop })).toEqual([{ gone: 1 }]);
  });

  it("customers/data_request, customers/redact and shop/redact: each recorded with the customer's exact ids", async () => {
    const shop = "compliance-example.myshopify.com";
    await post("customers/data_request", shopifyExample("customers/data_request"), shop);
    expect(await server.rows("select topic, customer_id, order_ids from compliance_requests where shop = @shop", { shop })).toEqual([
      { topic: "customers/data_request", customer_id: "191167", order_ids: '["299938","280263","220458"]' },
    ]);
    await post("customers/redact", shopifyExample("customers/redact"), shop);
    // The earlier data request's report goes with the customer's data.
    expect(await server.rows("select topic, customer_id, order_ids from compliance_requests where shop = @shop", { shop })).toEqual([
      { topic: "customers/redact", customer_id: "191167", order_ids: '["299938","280263","220458"]' },
    ]);
    await post("shop/redact", shopifyExample("shop/redact"), shop);
    expect(await server.rows("select topic from compliance_requests where shop = @shop", { shop })).toEqual([{ topic: "shop/redact" }]);
  });
});
