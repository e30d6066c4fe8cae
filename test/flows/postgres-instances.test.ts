import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMouseStatsSimulator, type MouseStatsSimulator } from "../../src/mousestats/simulator.ts";
import { serveOnLoopback, type LoopbackServer } from "../../src/mousestats/serve-loopback.ts";
import { createSessionTokenSigner } from "../../src/shopify/session-token.ts";
import { createPostgresDatabase, hasPostgres } from "../helpers/postgres-database.ts";
import { startTestServer, waitFor, type TestServer } from "../helpers/test-server.ts";
import { buildWebhookRequest, orderPayload, postWebhook, subscriptionPayload } from "../helpers/webhook-request.ts";

/**
 * Two app instances on one PostgreSQL, as a reseller runs them behind a load balancer: real
 * HTTP, a real PostgreSQL (the run's throwaway server), one MouseStats simulator both talk to.
 */
describe.skipIf(!hasPostgres())("two instances on one PostgreSQL", () => {
  let sim: MouseStatsSimulator;
  let simServer: LoopbackServer;
  let a: TestServer;
  let b: TestServer;
  const signer = createSessionTokenSigner({ apiKey: "sandbox-api-key", apiSecret: "sandbox-api-secret" });
  const rows = <T>(server: TestServer, sql: string, params: Record<string, string> = {}) => server.database.statement<T>(sql).all(params);
  const accountStatus = async (email: string) => (await rows<{ status: string }>(a, "select status from accounts where email = @email", { email }))[0]?.status;

  beforeAll(async () => {
    sim = createMouseStatsSimulator({ partnerId: "pg-partner", partnerSecret: "pg-secret" });
    simServer = await serveOnLoopback(sim.app);
    const env = {
      DATABASE_URL: await createPostgresDatabase("instances"), ADDON_SKUS: "heat",
      MOUSESTATS_PARTNER_ID: "pg-partner", MOUSESTATS_PARTNER_SECRET: "pg-secret", MOUSESTATS_API_URL: `${simServer.origin}/api`,
    };
    // Started together: both migrate at once, under the lock.
    [a, b] = await Promise.all([startTestServer(env), startTestServer(env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await simServer?.close();
  });

  it("reports the database and the queue as ready on PostgreSQL", async () => {
    for (const server of [a, b]) {
      const res = await fetch(`${server.url}/readyz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ready: true, database: true, queue: true, backend: "postgres" });
    }
  });

  it("provisions a subscription delivered to one instance, and a duplicate delivered to both at once has no effect", async () => {
    const shop = "twin.myshopify.com";
    const delivery = buildWebhookRequest({ topic: "app_subscriptions/update", shop, body: subscriptionPayload("ACTIVE"), eventId: "twin-event" });
    const send = (server: TestServer) => fetch(`${server.url}/webhooks`, { method: "POST", body: delivery.body, headers: delivery.headers });
    const answers = await Promise.all([send(a), send(b), send(a), send(b)]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    await waitFor(async () => (await accountStatus("twin@example.com")) === "active", 15_000, "account active");
    expect(await rows(a, "select id from webhook_events where event_id = 'twin-event'")).toHaveLength(1);
    expect(sim.createAccountCalls("twin@example.com")).toBe(1);
  });

  it("never provisions one email twice at once, whichever instance each order reaches", async () => {
    sim.faults.latencyMs = 50;
    const orders = Array.from({ length: 12 }, (_, i) => orderPayload({ id: 9000 + i, email: "many@example.com", skus: ["heat"] }));
    const answers = await Promise.all(orders.map((body, i) => postWebhook(i % 2 ? a.url : b.url, { topic: "orders/paid", shop: "many.myshopify.com", body })));
    expect(answers.every((r) => r.status === 200)).toBe(true);
    await waitFor(async () => (await accountStatus("many@example.com")) === "active", 15_000, "account active");
    await Promise.all([a.worker.idle(), b.worker.idle()]);
    sim.faults.latencyMs = 0;
    expect(sim.createAccountCalls("many@example.com")).toBe(1);
    expect(await rows(a, "select id from shop_accounts where account_email = 'many@example.com'")).toHaveLength(1);
  });

  it("holds the login-link limit across instances: the 11th in a minute is refused wherever it lands", async () => {
    const shop = "limited.myshopify.com";
    await postWebhook(a.url, { topic: "app_subscriptions/update", shop, body: subscriptionPayload("ACTIVE") });
    await waitFor(async () => (await accountStatus("limited@example.com")) === "active", 15_000, "account active");
    const link = (server: TestServer) => fetch(`${server.url}/api/login-link`, {
      method: "POST", headers: { authorization: `Bearer ${signer.sign({ shop, now: Date.now() })}` },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await link(i % 2 ? b : a)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(statuses[10]).toBe(429);
  });

  it("keeps a job for good when it fails for good, and shows the queue on /metrics", async () => {
    Object.assign(sim.faults, { errorRate: 1, errorStatus: 400 }); // a 4xx no retry can fix
    await postWebhook(b.url, { topic: "orders/paid", shop: "denied.myshopify.com", body: orderPayload({ id: 9900, email: "denied@example.com", skus: ["heat"] }) });
    await waitFor(async () => (await accountStatus("denied@example.com")) === "failed", 15_000, "account failed");
    Object.assign(sim.faults, { errorRate: 0, errorStatus: 500 });
    const metrics = await (await fetch(`${a.url}/metrics`)).text();
    expect(metrics).toMatch(/mousestats_heatmaps_jobs\{kind="provision-account",status="failed"\} 1/);
    expect(metrics).toMatch(/mousestats_heatmaps_job_oldest_due_age_seconds \d/);
    expect((await a.queue.list({ failed: true }))[0]).toMatchObject({ kind: "provision-account", status: "failed", subject: "denied@example.com" });
  });

  it("redacts a customer on PostgreSQL: mappings, kept bodies naming them, and their finished jobs", async () => {
    await postWebhook(a.url, { topic: "customers/redact", shop: "denied.myshopify.com", body: { customer: { id: 77, email: "denied@example.com" }, orders_to_redact: [9900] } });
    await waitFor(async () => (await rows(a, "select id from compliance_requests where topic = 'customers/redact'")).length === 1, 15_000, "redaction done");
    expect(await rows(a, "select id from shop_accounts where account_email = 'denied@example.com'")).toHaveLength(0);
    expect(await rows(a, "select id from webhook_events where topic = 'orders/paid' and payload like '%denied@example.com%'")).toHaveLength(0);
    expect((await a.queue.list({ failed: true })).filter((j) => j.subject === "denied@example.com")).toHaveLength(0);
  });
});
