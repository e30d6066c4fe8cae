import { afterEach, expect, it } from "vitest";
import { describeEachBackend } from "../helpers/backends.ts";
import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { createMouseStatsSimulator } from "../../src/mousestats/simulator.ts";
import { orderPayload, postWebhook, subscriptionPayload } from "../helpers/webhook-request.ts";
import { startTestServer, waitFor, type TestServer } from "../helpers/test-server.ts";
import { moveShopAccount } from "../../src/provisioning/account-admin.ts";
import { lockShopAccess } from "../../src/provisioning/shop-access-lock.ts";
import { createSessionStorage } from "../../src/shopify/session-storage.ts";
import { createTokenCipher } from "../../src/shopify/token-cipher.ts";

const accountOf = async (server: TestServer, email: string) =>
  (await server.rows("select * from accounts where email = @email", { email }))[0];
const mappingsOf = (server: TestServer, shop: string) =>
  server.rows("select account_email, source, access from shop_accounts where shop = @shop order by id", { shop });

/** Holds the shop's access lock in a transaction of its own; resolves once held, with what ends that transaction. */
async function holdShopAccess(server: TestServer, shop: string): Promise<() => Promise<void>> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => { release = resolve; });
  let holding!: () => void;
  const locked = new Promise<void>((resolve) => { holding = resolve; });
  const holder = server.database.transaction(async (tx) => {
    await lockShopAccess(server.database, shop, tx);
    holding();
    await held;
  });
  await Promise.race([locked, holder]);
  return async () => {
    release();
    await holder;
  };
}

describeEachBackend("webhook → provisioning", (backend) => {
  let server: TestServer | undefined;
  afterEach(async () => { await server?.close(); server = undefined; });

  it("provisions a shop once for the same event delivered 10 times, concurrently and in sequence", async () => {
    server = await startTestServer(await backend.env());
    const shop = "dupes.myshopify.com";
    const delivery = { topic: "app_subscriptions/update", shop, body: subscriptionPayload("ACTIVE"), eventId: "evt-dupe", webhookId: "wh-dupe" };
    const concurrent = await Promise.all(Array.from({ length: 10 }, () => postWebhook(server!.url, delivery)));
    for (let i = 0; i < 10; i++) expect((await postWebhook(server.url, delivery)).status).toBe(200);
    expect(concurrent.map((r) => r.status)).toEqual(Array(10).fill(200));
    await waitFor(async () => (await accountOf(server!, "dupes@example.com"))?.status === "active", 10_000, "account active");
    await server.worker.idle();
    expect(server.simulator!.createAccountCalls("dupes@example.com")).toBe(1);
    expect(await mappingsOf(server, shop)).toEqual([{ account_email: "dupes@example.com", source: "subscription", access: "active" }]);
  });

  it("creates one account for distinct events racing for the same email", async () => {
    server = await startTestServer({ ...await backend.env(), ADDON_SKUS: "HEATMAP-ADDON" });
    server.simulator!.faults.latencyMs = 30;
    const shops = ["race-a.myshopify.com", "race-b.myshopify.com"];
    await Promise.all(Array.from({ length: 10 }, (_, i) => postWebhook(server!.url, {
      topic: "orders/paid", shop: shops[i % 2]!, body: orderPayload({ id: 1000 + i, email: "Buyer@Example.com", skus: ["heatmap-addon"] }),
    })));
    await waitFor(async () => (await accountOf(server!, "buyer@example.com"))?.status === "active", 10_000, "account active");
    await server.worker.idle();
    expect(server.simulator!.createAccountCalls("buyer@example.com")).toBe(1);
    expect(await mappingsOf(server, shops[0]!)).toEqual([{ account_email: "buyer@example.com", source: "order", access: "active" }]);
    expect(await mappingsOf(server, shops[1]!)).toEqual([{ account_email: "buyer@example.com", source: "order", access: "active" }]);
  });

  it("ignores orders without an add-on SKU or not paid; keeps an add-on order without an email for the operator", async () => {
    server = await startTestServer({ ...await backend.env(), ADDON_SKUS: "HEATMAP-ADDON,OTHER" });
    const shop = "orders.myshopify.com";
    await postWebhook(server.url, { topic: "orders/paid", shop, body: orderPayload({ id: 1, email: "a@x.com", skus: ["tshirt"] }) });
    await postWebhook(server.url, { topic: "orders/paid", shop, body: orderPayload({ id: 2, email: "b@x.com", skus: ["other"], financialStatus: "voided" }) });
    await postWebhook(server.url, { topic: "orders/paid", shop, body: orderPayload({ id: 3, email: null, skus: ["other"] }) });
    await server.worker.idle();
    expect(await server.count("accounts")).toBe(0);
    expect(server.simulator!.calls).toEqual([]);
    expect(await server.rows("select unprocessable_reason as reason, case when payload is not null then 1 else 0 end as kept from webhook_events order by id")).toEqual([
      { reason: null, kept: 0 }, { reason: null, kept: 0 },
      { reason: "add-on order has no email (protected customer data access, level 2, may be missing)", kept: 1 },
    ]);
  });

  it("provisions two orders whose ids differ only beyond 2^53 as two orders, under their exact ids", async () => {
    server = await startTestServer({ ...await backend.env(), ADDON_SKUS: "HM" });
    const shop = "bigids.myshopify.com";
    // As JS numbers both are 9007199254740992: one would have shadowed the other.
    const order = (id: string, email: string) => JSON.stringify(orderPayload({ id: 1, email, skus: ["HM"] })).replace('"id":1,', `"id":${id},`);
    for (const [id, email] of [["9007199254740993", "first@x.com"], ["9007199254740995", "second@x.com"]] as const) {
      expect((await postWebhook(server.url, { topic: "orders/paid", shop, body: order(id, email) })).status).toBe(200);
    }
    await waitFor(async () => (await accountOf(server!, "first@x.com"))?.status === "active" && (await accountOf(server!, "second@x.com"))?.status === "active", 5000, "both accounts");
    expect(await server.rows("select account_email, source_ref from shop_accounts where shop = @shop order by account_email", { shop })).toEqual([
      { account_email: "first@x.com", source_ref: "9007199254740993" }, { account_email: "second@x.com", source_ref: "9007199254740995" },
    ]);
  });

  it("retries through MouseStats 500s and still creates the account once", async () => {
    server = await startTestServer(await backend.env());
    server.simulator!.faults.errorRate = 1;
    await postWebhook(server.url, { topic: "app_subscriptions/update", shop: "flaky.myshopify.com", body: subscriptionPayload("ACTIVE") });
    await waitFor(() => server!.simulator!.calls.length >= 3, 10_000, "three failed calls");
    expect(await accountOf(server, "flaky@example.com")).toMatchObject({ status: "pending", last_error: "MouseStats answered HTTP 500." });
    server.simulator!.faults.errorRate = 0;
    await waitFor(async () => (await accountOf(server!, "flaky@example.com"))?.status === "active", 10_000, "account active");
    expect(server.simulator!.createAccountCalls("flaky@example.com")).toBe(1);
  });

  it("survives MouseStats hanging (each call times out) and creates the account once it answers", async () => {
    server = await startTestServer({ ...await backend.env(), MOUSESTATS_TIMEOUT_MS: "200" });
    const sim = server.simulator!;
    sim.faults.hang = true;
    await postWebhook(server.url, { topic: "app_subscriptions/update", shop: "hang.myshopify.com", body: subscriptionPayload("ACTIVE") });
    await waitFor(async () => ((await accountOf(server!, "hang@example.com"))?.last_error as string | null)?.includes("did not answer in time"), 10_000, "timeout recorded");
    expect((await accountOf(server, "hang@example.com"))?.status).toBe("pending");
    sim.faults.hang = false;
    await waitFor(async () => (await accountOf(server!, "hang@example.com"))?.status === "active", 10_000, "account active");
    expect(sim.createAccountCalls("hang@example.com")).toBe(1);
  });

  it("fails with a readable reason when MouseStats answers permission-denied to CreateAccount", async () => {
    const sim = createMouseStatsSimulator({ partnerId: "real-partner", partnerSecret: "real-secret" });
    const external = serve({ fetch: sim.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => external.once("listening", r));
    try {
      const port = (external.address() as AddressInfo).port;
      server = await startTestServer({
        ...await backend.env(),
        MOUSESTATS_PARTNER_ID: "real-partner", MOUSESTATS_PARTNER_SECRET: "wrong-secret", MOUSESTATS_API_URL: `http://127.0.0.1:${port}/api`,
      });
      await postWebhook(server.url, { topic: "app_subscriptions/update", shop: "denied.myshopify.com", body: subscriptionPayload("ACTIVE") });
      const account = await waitFor(async () => { const a = await accountOf(server!, "denied@example.com"); return a?.status === "failed" ? a : undefined; }, 10_000, "failed");
      expect(account.last_error).toMatch(/permission-denied/);
      expect(sim.calls.map((c) => c.op)).toEqual(["GetAccount", "CreateAccount"]);
      const jobs = (await server.queue.list()).filter((j) => j.kind === "provision-account");
      expect(jobs.map((j) => j.status)).toEqual(["failed"]);
      // One attempt (the calls above say so too); graphile-worker marks a job failed for good by setting its attempts to the most.
      if (backend.name === "sqlite") expect(jobs[0]?.attempts).toBe("1/12");
    } finally {
      external.close();
    }
  });

  it("marks the shop inactive on cancellation and active again on a newer subscription", async () => {
    server = await startTestServer(await backend.env());
    const shop = "cancel.myshopify.com";
    const t0 = Date.parse("2026-11-01T00:00:00Z");
    await postWebhook(server.url, { topic: "app_subscriptions/update", shop, body: subscriptionPayload("ACTIVE", "gid://shopify/AppSubscription/1", new Date(t0).toISOString()) });
    await waitFor(async () => (await accountOf(server!, "cancel@example.com"))?.status === "active");
    await postWebhook(server.url, { topic: "app_subscriptions/update", shop, body: subscriptionPayload("CANCELLED", "gid://shopify/AppSubscription/1", new Date(t0 + 1000).toISOString()) });
    await waitFor(async () => (await mappingsOf(server!, shop))[0]?.access === "inactive", 5000, "inactive");
    // A late retry of the older ACTIVE delivery changes nothing.
    await postWebhook(server.url, { topic: "app_subscriptions/update", shop, body: subscriptionPayload("ACTIVE", "gid://shopify/AppSubscription/1", new Date(t0 + 500).toISOString()) });
    await server.settled();
    expect(await mappingsOf(server, shop)).toEqual([{ account_email: "cancel@example.com", source: "subscription", access: "inactive" }]);
    // Cancelling an old subscription does not touch the one that replaced it.
    await postWebhook(server.url, { topic: "app_subscriptions/update", shop, body: subscriptionPayload("ACTIVE", "gid://shopify/AppSubscription/2", new Date(t0 + 2000).toISOString()) });
    await postWebhook(server.url, { topic: "app_subscriptions/update", shop, body: subscriptionPayload("CANCELLED", "gid://shopify/AppSubscription/1", new Date(t0 + 3000).toISOString()) });
    // Both jobs, a retry scheduled for later included: one may wait while the other holds the email.
    await server.settled();
    expect(await mappingsOf(server, shop)).toEqual([{ account_email: "cancel@example.com", source: "subscription", access: "active" }]);
    expect(server.simulator!.createAccountCalls()).toBe(1);
  });

  // PostgreSQL only: SQLite runs one transaction at a time, so a transaction held open here would hold the app's only connection.
  if (backend.name === "postgres") it("applies a shop's billing events one at a time: a cancellation waits while another transaction holds the shop's access", async () => {
    server = await startTestServer(await backend.env());
    const shop = "one-at-a-time.myshopify.com";
    const t0 = Date.parse("2026-11-01T00:00:00Z");
    await postWebhook(server.url, { topic: "app_subscriptions/update", shop, body: subscriptionPayload("ACTIVE", "gid://shopify/AppSubscription/7", new Date(t0).toISOString()) });
    await waitFor(async () => (await mappingsOf(server!, shop))[0]?.access === "active");
    const release = await holdShopAccess(server, shop);
    try {
      await postWebhook(server.url, { topic: "app_subscriptions/update", shop, body: subscriptionPayload("CANCELLED", "gid://shopify/AppSubscription/7", new Date(t0 + 1000).toISOString()) });
      await new Promise((r) => setTimeout(r, 500));
      expect(await mappingsOf(server, shop)).toEqual([{ account_email: "one-at-a-time@example.com", source: "subscription", access: "active" }]);
    } finally {
      await release();
    }
    await waitFor(async () => (await mappingsOf(server!, shop))[0]?.access === "inactive", 5000, "inactive once the shop is free");
  });

  // PostgreSQL only, as above. A move retires the shop's other own mappings: beside a cancellation
  // that withdraws them, each could miss the other's rows and leave a cancelled shop with access.
  if (backend.name === "postgres") it("moves a shop's account only while nothing else changes the shop's access", async () => {
    server = await startTestServer(await backend.env());
    const shop = "move-waits.myshopify.com";
    await postWebhook(server.url, { topic: "app_subscriptions/update", shop, body: subscriptionPayload("ACTIVE", "gid://shopify/AppSubscription/8", new Date(Date.now() - 60_000).toISOString()) });
    await waitFor(async () => (await mappingsOf(server!, shop))[0]?.access === "active");
    const release = await holdShopAccess(server, shop);
    let outcome: string | undefined;
    const move = moveShopAccount(server.database, server.queue, shop, "moved-here@example.com").then((o) => { outcome = o; });
    try {
      await new Promise((r) => setTimeout(r, 500));
      expect(outcome).toBeUndefined();
      expect(await mappingsOf(server, shop)).toEqual([{ account_email: "move-waits@example.com", source: "subscription", access: "active" }]);
    } finally {
      await release();
    }
    await move;
    expect(outcome).toBe("moved");
    expect(await mappingsOf(server, shop)).toEqual(expect.arrayContaining([
      { account_email: "move-waits@example.com", source: "subscription", access: "inactive" },
      { account_email: "moved-here@example.com", source: "subscription", access: "active" },
    ]));
  });

  it("deletes sessions and withdraws access on app/uninstalled", async () => {
    server = await startTestServer(await backend.env());
    const shop = "leaving.myshopify.com";
    await server.database.statement("insert into shopify_sessions (id, shop, access_token_enc) values (@id, @shop, 'v1:x')").run({ id: `offline_${shop}`, shop });
    await postWebhook(server.url, { topic: "app_subscriptions/update", shop, body: subscriptionPayload("ACTIVE", "gid://shopify/AppSubscription/1", new Date(Date.now() - 60_000).toISOString()) });
    await waitFor(async () => (await accountOf(server!, "leaving@example.com"))?.status === "active");
    await postWebhook(server.url, { topic: "app/uninstalled", shop, body: { id: 1, myshopify_domain: shop, email: "leaving@example.com" } });
    await server.worker.idle();
    await waitFor(async () => (await server!.count("shopify_sessions where shop = @shop", { shop })) === 0, 5000, "sessions deleted");
    expect(await mappingsOf(server, shop)).toEqual([{ account_email: "leaving@example.com", source: "subscription", access: "inactive" }]);
    expect(await server.rows("select case when uninstalled_at is not null then 1 else 0 end as u from shops where domain = @shop", { shop })).toEqual([{ u: 1 }]);
  });

  it("keeps a session stored after app/uninstalled arrived: a reinstall's token exchange", async () => {
    server = await startTestServer(await backend.env());
    const shop = "back-again.myshopify.com";
    const id = `offline_${shop}`;
    await server.database.statement("insert into shopify_sessions (id, shop, access_token_enc, updated_at) values (@id, @shop, 'v1:old', @at)")
      .run({ id, shop, at: Date.now() - 60_000 });
    // The uninstall job waits in the queue while the merchant reinstalls and the page stores the
    // session its token exchange brought.
    await server.worker.stop();
    await postWebhook(server.url, { topic: "app/uninstalled", shop, body: { id: 1, myshopify_domain: shop } });
    await new Promise((r) => setTimeout(r, 5)); // stored a later millisecond than the webhook's receipt
    const storage = createSessionStorage({ database: server.database, cipher: createTokenCipher(server.config.encryptionKey) });
    await storage.storeOfflineSession({ id, shop, accessToken: "shpat_reinstalled" });
    await server.worker.start();
    await server.worker.idle();
    expect((await storage.loadOfflineSession(shop))?.accessToken).toBe("shpat_reinstalled");
    // The uninstall itself is applied; the page's next install records the reinstall.
    expect(await server.rows("select case when uninstalled_at is not null then 1 else 0 end as u from shops where domain = @shop", { shop })).toEqual([{ u: 1 }]);
  });

  it("ignores a billing event from before an uninstall that arrives after it", async () => {
    server = await startTestServer(await backend.env());
    const shop = "late.myshopify.com";
    const before = new Date(Date.now() - 60_000).toISOString();
    await postWebhook(server.url, { topic: "app_subscriptions/update", shop, body: subscriptionPayload("ACTIVE", "gid://shopify/AppSubscription/1", before) });
    await waitFor(async () => (await accountOf(server!, "late@example.com"))?.status === "active");
    await postWebhook(server.url, { topic: "app/uninstalled", shop, body: { id: 1, myshopify_domain: shop } });
    await server.worker.idle();
    // Shopify retries the old delivery (new webhook and event ids, original payload).
    await postWebhook(server.url, { topic: "app_subscriptions/update", shop, body: subscriptionPayload("ACTIVE", "gid://shopify/AppSubscription/1", before) });
    await server.worker.idle();
    expect(await mappingsOf(server, shop)).toEqual([{ account_email: "late@example.com", source: "subscription", access: "inactive" }]);
  });

  it("carries out the three compliance topics", async () => {
    server = await startTestServer({ ...await backend.env(), ADDON_SKUS: "HM" });
    const shop = "privacy.myshopify.com";
    await postWebhook(server.url, { topic: "orders/paid", shop, body: orderPayload({ id: 42, email: "customer@x.com", skus: ["HM"] }) });
    await postWebhook(server.url, { topic: "app_subscriptions/update", shop, body: subscriptionPayload("ACTIVE") });
    await waitFor(async () => (await accountOf(server!, "customer@x.com"))?.status === "active" && (await accountOf(server!, "privacy@example.com"))?.status === "active");

    await postWebhook(server.url, { topic: "customers/data_request", shop, body: { shop_id: 1, shop_domain: shop, customer: { id: 77, email: "customer@x.com" }, orders_requested: [42], data_request: { id: 9 } } });
    const request = await waitFor(async () => (await server!.rows<Record<string, string>>("select * from compliance_requests where topic = 'customers/data_request'"))[0]);
    expect(JSON.parse(request.report!)).toMatchObject({
      orders: [{ orderId: "42", email: "customer@x.com" }], mouseStatsAccounts: [{ email: "customer@x.com", status: "active" }],
      webhookBodiesKept: [{ topic: "orders/paid" }, { topic: "customers/data_request" }],
    });
    expect(await server.count("webhook_events where payload like '%customer@x.com%'")).toBe(2);

    await postWebhook(server.url, { topic: "customers/redact", shop, body: { shop_id: 1, shop_domain: shop, customer: { id: 77, email: "customer@x.com" }, orders_to_redact: [42] } });
    await waitFor(async () => !(await accountOf(server!, "customer@x.com")), 5000, "customer redacted");
    expect(await mappingsOf(server, shop)).toEqual([{ account_email: "privacy@example.com", source: "subscription", access: "active" }]);
    expect((await server.queue.list({ limit: 1000 })).filter((j) => j.subject?.includes("customer@x.com"))).toEqual([]);
    if (backend.name === "sqlite") expect(await server.count("jobs where payload like '%customer@x.com%'")).toBe(0);
    // The kept bodies that named the customer (the order, both compliance requests) are gone; the shop's own stays.
    expect(await server.count("webhook_events where payload like '%customer@x.com%'")).toBe(0);
    expect(await server.rows("select topic from webhook_events where payload is not null")).toEqual([{ topic: "app_subscriptions/update" }]);
    // MouseStats cannot delete: the account left to nobody is open work for the operator.
    expect(await server.rows("select topic, email, closed_at from mousestats_erasures")).toEqual([{ topic: "customers/redact", email: "customer@x.com", closed_at: null }]);
    expect(await server.count("compliance_requests where customer_email is not null and topic = 'customers/redact'")).toBe(0);

    await postWebhook(server.url, { topic: "shop/redact", shop, body: { shop_id: 1, shop_domain: shop } });
    await waitFor(async () => !(await accountOf(server!, "privacy@example.com")), 5000, "shop redacted");
    for (const [table, column] of [["shops", "domain"], ["shop_accounts", "shop"], ["shop_billing", "shop"], ["shopify_sessions", "shop"], ["webhook_events", "shop"]] as const) {
      expect(await server.count(`${table} where ${column} = @shop`, { shop }), table).toBe(0);
    }
    expect(await server.rows("select topic from compliance_requests where shop = @shop", { shop })).toEqual([{ topic: "shop/redact" }]);
    expect(await server.rows("select topic, email from mousestats_erasures order by id")).toEqual([
      { topic: "customers/redact", email: "customer@x.com" }, { topic: "shop/redact", email: "privacy@example.com" },
    ]);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('compliance_work_open{kind="mousestats_erasure"} 2');
    expect(metrics).toContain('compliance_work_open{kind="data_request"} 0');
  });
});

describeEachBackend("webhook → provisioning with real Shopify (no sandbox shop)", (backend) => {
  let server: TestServer | undefined;
  afterEach(async () => { await server?.close(); server = undefined; });

  it("fails a billing event for a shop that never installed the app, permanently and with a clear reason", async () => {
    server = await startTestServer({ ...await backend.env(), SHOPIFY_API_KEY: "real-key", SHOPIFY_API_SECRET: "real-secret", APP_ENCRYPTION_KEY: "ab".repeat(32) });
    const res = await postWebhook(server.url, { topic: "app_subscriptions/update", shop: "stranger.myshopify.com", body: subscriptionPayload("ACTIVE"), secret: "real-secret" });
    expect(res.status).toBe(200);
    const job = await waitFor(async () => (await server!.queue.list({ failed: true })).find((j) => j.kind === "activate-shop" && j.status === "failed"), 5000, "job failed");
    // One attempt; graphile-worker marks a job failed for good by setting its attempts to the most.
    if (backend.name === "sqlite") expect(job.attempts).toBe("1/12");
    expect(job.lastError).toBe("Cannot learn the email of stranger.myshopify.com: No offline session for stranger.myshopify.com: the app has not been opened since install");
    expect(server.simulator!.calls).toEqual([]);
  });
});
