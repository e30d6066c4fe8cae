import { afterEach, expect, it } from "vitest";
import { adoptAccount } from "../../src/provisioning/account-admin.ts";
import type { SandboxAdmin } from "../../src/sandbox/sandbox-admin.ts";
import { createSessionTokenSigner } from "../../src/shopify/session-token.ts";
import { recordShopInstall } from "../../src/shopify/shop-record.ts";
import { describeEachBackend } from "../helpers/backends.ts";
import { startTestServer, waitFor, type TestServer } from "../helpers/test-server.ts";
import { orderPayload, postWebhook, subscriptionPayload } from "../helpers/webhook-request.ts";

const signer = createSessionTokenSigner({ apiKey: "sandbox-api-key", apiSecret: "sandbox-api-secret" });
const bearer = (shop: string) => ({ authorization: `Bearer ${signer.sign({ shop, now: Date.now() })}` });

/** Billing, account ownership and recovery as Shopify and MouseStats really behave (issue 11), over real HTTP. */
describeEachBackend("money and identity", (backend) => {
  let server: TestServer | undefined;
  afterEach(async () => { await server?.close(); server = undefined; });
  const api = (path: string, shop: string, init: RequestInit = {}) => fetch(`${server!.url}/api${path}`, { ...init, headers: bearer(shop) });
  const status = async (shop: string, query = "") => ((await (await api(`/account${query}`, shop)).json()) as { status: string }).status;
  const mappings = (shop: string) => server!.rows("select account_email as email, source, access, claim from shop_accounts where shop = @shop order by id", { shop });
  const subscribe = (shop: string, id = "gid://shopify/AppSubscription/1", at = new Date().toISOString()) =>
    postWebhook(server!.url, { topic: "app_subscriptions/update", shop, body: subscriptionPayload("ACTIVE", id, at) });

  it("keeps a shop on the account it was first provisioned with when the shop's email changes", async () => {
    server = await startTestServer(await backend.env());
    const shop = "renamed.myshopify.com";
    await subscribe(shop);
    await waitFor(async () => (await status(shop)) === "active", 10_000, "active");
    // The merchant changes the store's email; the next token exchange writes it.
    recordShopInstall(server.database.db, shop, { email: "New-Owner@Example.com", name: null, isDevelopmentStore: true }, new Date());
    await subscribe(shop, "gid://shopify/AppSubscription/2", new Date(Date.now() + 1000).toISOString());
    await server.worker.idle();
    expect(await mappings(shop)).toEqual([{ email: "renamed@example.com", source: "subscription", access: "active", claim: "verified" }]);
    expect(server.simulator!.createAccountCalls("new-owner@example.com")).toBe(0);
    expect(await status(shop)).toBe("active");
  });

  it("does not hand a shop an account another shop holds: needs_review, no login link, until adopted", async () => {
    server = await startTestServer(await backend.env());
    await subscribe("first-owner.myshopify.com");
    await waitFor(async () => (await status("first-owner.myshopify.com")) === "active", 10_000, "first active");
    // A second store whose owner email is the same.
    recordShopInstall(server.database.db, "second.myshopify.com", { email: "first-owner@example.com", name: null, isDevelopmentStore: true }, new Date());
    await subscribe("second.myshopify.com");
    await waitFor(async () => (await status("second.myshopify.com")) === "needs_review", 10_000, "needs review");
    const view = await (await api("/account", "second.myshopify.com")).json();
    expect(view).toMatchObject({ status: "needs_review", email: "first-owner@example.com", plan: null, usage: null });
    expect((await api("/login-link", "second.myshopify.com", { method: "POST" })).status).toBe(409);
    expect(await adoptAccount(server.database, "first-owner@example.com", "second.myshopify.com")).toBe("adopted");
    expect(await status("second.myshopify.com")).toBe("active");
    expect((await api("/login-link", "second.myshopify.com", { method: "POST" })).status).toBe(200);
    expect(server.simulator!.createAccountCalls("first-owner@example.com")).toBe(1);
  });

  it("never attaches an account that already existed at MouseStats", async () => {
    server = await startTestServer(await backend.env());
    server.simulator!.accounts.set("existing@example.com", {
      email: "existing@example.com", password: "x", planName: "Pro", planDaysLeft: 9, usage: { heatmapProjects: 1, playbackProjects: 1, heatmapVisits: 1, playbackVisits: 1 },
    });
    await subscribe("existing.myshopify.com");
    await waitFor(async () => (await status("existing.myshopify.com")) === "needs_review", 10_000, "needs review");
    expect(server.simulator!.createAccountCalls()).toBe(0);
  });

  it("gives an add-on order's account to its buyer (customer id), not to whoever names the email", async () => {
    server = await startTestServer({ ...await backend.env(), ADDON_SKUS: "HM" });
    const order = (id: number, customerId: number) => JSON.stringify({ ...orderPayload({ id, email: "buyer@x.com", skus: ["HM"] }), customer: { id: customerId, email: "buyer@x.com" } });
    await postWebhook(server.url, { topic: "orders/paid", shop: "store-a.myshopify.com", body: order(1, 501) });
    await waitFor(() => server!.count("accounts where email = 'buyer@x.com' and status = 'active'"), 10_000, "account");
    await postWebhook(server.url, { topic: "orders/paid", shop: "store-a.myshopify.com", body: order(2, 501) });
    await postWebhook(server.url, { topic: "orders/paid", shop: "store-b.myshopify.com", body: order(3, 777) });
    await server.worker.idle();
    expect(await server.rows("select shop, customer_id, claim from shop_accounts where account_email = 'buyer@x.com' order by shop")).toEqual([
      { shop: "store-a.myshopify.com", customer_id: "501", claim: "verified" },
      { shop: "store-b.myshopify.com", customer_id: "777", claim: "needs_review" },
    ]);
    expect(await server.rows("select owner from accounts where email = 'buyer@x.com'")).toEqual([{ owner: "buyer:store-a.myshopify.com:501" }]);
  });

  it("recovers a lost app_subscriptions/update: back from the charge (charge_id), the page asks Shopify and provisions", async () => {
    server = await startTestServer(await backend.env());
    const shop = "lost-webhook.myshopify.com";
    const { confirmationUrl } = (await (await api("/billing/subscribe", shop, { method: "POST" })).json()) as { confirmationUrl: string };
    const charge = new URL(confirmationUrl).searchParams.get("charge")!;
    // The page without access asks Shopify (spaced 30 s apart): the charge is still pending.
    expect(await status(shop)).toBe("none");
    await server.worker.idle();
    // The merchant approves; Shopify's webhook never arrives. A plain reload within 30 s does not ask again...
    expect(sandboxOf(server).settleCharge(charge, "ACTIVE", new Date())?.status).toBe("ACTIVE");
    expect(await status(shop)).toBe("none");
    await server.worker.idle();
    expect(await status(shop)).toBe("none");
    // ...but the return from the confirmation page (charge_id) does, at once.
    await status(shop, `?charge_id=${charge}`);
    await waitFor(async () => (await status(shop)) === "active", 10_000, "active from Shopify's answer");
    expect(await server.rows("select source_ref, status from shop_billing where shop = @shop", { shop })).toEqual([{ source_ref: `gid://shopify/AppSubscription/${charge}`, status: "ACTIVE" }]);
  });

  // Declared with the SQLite run only: it counts the jobs of one kind ever added, and graphile-worker
  // deletes a job once it succeeds (the API's enqueue through the seam is the same on both).
  if (backend.name === "sqlite") it("asks Shopify again when the page finds the account setting up for more than 10 minutes", async () => {
    server = await startTestServer(await backend.env());
    const shop = "stuck.myshopify.com";
    Object.assign(server.simulator!.faults, { errorRate: 1, errorStatus: 503 });
    await subscribe(shop);
    await waitFor(async () => (await status(shop)) === "pending", 10_000, "pending");
    const checks = () => server!.count("jobs where kind = 'reconcile-billing'");
    await status(shop);
    expect(await checks()).toBe(0);
    server.advanceClock(11 * 60_000);
    const later = await fetch(`${server.url}/api/account`, { headers: { authorization: `Bearer ${signer.sign({ shop, now: Date.now() + 11 * 60_000 })}` } });
    expect(await later.json()).toMatchObject({ status: "pending" });
    expect(await checks()).toBe(1);
  });

  it("orders billing events of the same second by X-Shopify-Triggered-At, whatever order they arrive in", async () => {
    server = await startTestServer(await backend.env());
    const shop = "same-second.myshopify.com";
    const second = "2026-11-20T10:00:00-05:00";
    const id = "gid://shopify/AppSubscription/77";
    // Cancelled after it was activated, within one second; the deliveries arrive the other way round.
    await postWebhook(server.url, { topic: "app_subscriptions/update", shop, body: subscriptionPayload("CANCELLED", id, second), triggeredAt: "2026-11-20T15:00:00.900Z" });
    await server.worker.idle();
    await postWebhook(server.url, { topic: "app_subscriptions/update", shop, body: subscriptionPayload("ACTIVE", id, second), triggeredAt: "2026-11-20T15:00:00.200Z" });
    await server.worker.idle();
    expect(await server.rows("select status from shop_billing where shop = @shop", { shop })).toEqual([{ status: "CANCELLED" }]);
    expect(await status(shop)).not.toBe("active");
  });
});

function sandboxOf(server: TestServer): SandboxAdmin {
  const admin = server.sandboxAdmin;
  if (!admin) throw new Error("not in sandbox mode");
  return admin;
}
