import { afterEach, expect, it } from "vitest";
import { createSessionTokenSigner } from "../../src/shopify/session-token.ts";
import { describeEachBackend } from "../helpers/backends.ts";
import { startTestServer, waitFor, type TestServer } from "../helpers/test-server.ts";
import { postWebhook, subscriptionPayload } from "../helpers/webhook-request.ts";

const signer = createSessionTokenSigner({ apiKey: "sandbox-api-key", apiSecret: "sandbox-api-secret" });
const bearer = (shop: string) => ({ authorization: `Bearer ${signer.sign({ shop, now: Date.now() })}` });

describeEachBackend("embedded app API", (backend) => {
  let server: TestServer | undefined;
  afterEach(async () => { await server?.close(); server = undefined; });
  const api = (path: string, shop: string, init: RequestInit = {}) =>
    fetch(`${server!.url}/api${path}`, { ...init, headers: { ...bearer(shop), ...(init.headers as Record<string, string> | undefined) } });
  const activate = async (shop: string) => {
    await postWebhook(server!.url, { topic: "app_subscriptions/update", shop, body: subscriptionPayload("ACTIVE") });
    await waitFor(async () => ((await (await api("/account", shop)).json()) as { status: string }).status === "active", 10_000, "active");
  };

  it("installs the shop on the first authenticated call and reports status none", async () => {
    server = await startTestServer(await backend.env());
    const res = await api("/account", "first.myshopify.com");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      shop: "first.myshopify.com", email: "first@example.com", status: "none", plan: null, planDaysLeft: null,
      usage: null, error: null, stale: false, usageCheckedAt: null,
      // The add-on as configured, shown before Subscribe.
      offer: { name: "MouseStats Heatmaps", amount: 9.99, currencyCode: "USD", interval: "EVERY_30_DAYS", trialDays: 0, test: true },
    });
    const [session] = await server.rows<{ shop: string; access_token_enc: string }>("select shop, access_token_enc from shopify_sessions");
    expect(session?.shop).toBe("first.myshopify.com");
    expect(session?.access_token_enc).toMatch(/^v1:/);
  });

  it.each([
    ["no header", {}],
    ["a garbage token", { authorization: "Bearer abc.def.ghi" }],
    ["a token signed with another secret", { authorization: `Bearer ${createSessionTokenSigner({ apiKey: "sandbox-api-key", apiSecret: "nope" }).sign({ shop: "x.myshopify.com", now: Date.now() })}` }],
    ["an expired token", { authorization: `Bearer ${signer.sign({ shop: "x.myshopify.com", now: Date.now() - 120_000 })}` }],
  ])("answers 401 with no side effects for %s", async (_name, headers) => {
    server = await startTestServer(await backend.env());
    for (const [method, path] of [["GET", "/account"], ["POST", "/login-link"], ["POST", "/billing/subscribe"], ["POST", "/provisioning/retry"]] as const) {
      const res = await fetch(`${server.url}/api${path}`, { method, headers });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.headers.get("x-shopify-retry-invalid-session-request")).toBe("1");
      expect(await res.json()).toMatchObject({ error: "invalid session token" });
    }
    for (const table of ["shopify_sessions", "shops", "jobs"]) {
      expect(table === "jobs" ? await server.jobsAdded() : await server.count(table), table).toBe(0);
    }
  });

  it("shows plan and usage, refreshes them when old, and marks them stale when MouseStats is down", async () => {
    server = await startTestServer(await backend.env());
    const shop = "usage.myshopify.com";
    await activate(shop);
    server.simulator!.setAccountUsage("usage@example.com", { heatmapVisits: 1234, playbackProjects: 2 });
    await server.database.statement("update accounts set usage_checked_at = 0").run();
    const fresh = await (await api("/account", shop)).json();
    expect(fresh).toMatchObject({ status: "active", plan: "Free", planDaysLeft: 30, stale: false,
      usage: { heatmapProjects: 0, playbackProjects: 2, heatmapVisits: 1234, playbackVisits: 0 } });

    server.simulator!.faults.errorRate = 1;
    await server.database.statement("update accounts set usage_checked_at = 0").run();
    const stale = await api("/account", shop);
    expect(stale.status).toBe(200);
    expect(await stale.json()).toMatchObject({ status: "active", stale: true, usage: { heatmapVisits: 1234 } });
  });

  it("mints a login link for an active account and answers 409 / 502 / 429 otherwise", async () => {
    server = await startTestServer(await backend.env());
    expect((await api("/login-link", "nobody.myshopify.com", { method: "POST" })).status).toBe(409);
    const shop = "login.myshopify.com";
    await activate(shop);
    server.simulator!.faults.latencyMs = 30;
    const res = await api("/login-link", shop, { method: "POST" });
    server.simulator!.faults.latencyMs = 0;
    expect(res.status).toBe(200);
    // The MouseStats call's share of the answer, for devtools and the benchmark.
    const [, mousestatsMs, appMs] = /^mousestats;dur=(\d+\.\d{2}), app;dur=(\d+\.\d{2})$/.exec(res.headers.get("server-timing") ?? "")?.map(Number) ?? [];
    expect(mousestatsMs).toBeGreaterThanOrEqual(30);
    expect(appMs).toBeGreaterThanOrEqual(mousestatsMs!);
    expect(appMs).toBeLessThan(1_000);
    const { url } = (await res.json()) as { url: string };
    expect(url).toMatch(new RegExp(`^${server.config.mousestats.loginUrl}\\?_token=[0-9A-F]{32}$`));
    const dashboard = await fetch(url);
    expect(await dashboard.text()).toContain("login@example.com");

    server.simulator!.faults.errorRate = 1;
    const failed = await api("/login-link", shop, { method: "POST" });
    expect(failed.status).toBe(502);
    expect(JSON.stringify(await failed.json())).not.toMatch(/sandbox-partner-secret|_partnerSecret/);
    server.simulator!.faults.errorRate = 0;
    const statuses = [];
    for (let i = 0; i < 10; i++) statuses.push((await api("/login-link", shop, { method: "POST" })).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    const limited = await api("/login-link", shop, { method: "POST" });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("answers 409 for login links once the subscription is cancelled", async () => {
    server = await startTestServer(await backend.env());
    const shop = "cancelled.myshopify.com";
    await activate(shop);
    await postWebhook(server.url, { topic: "app_subscriptions/update", shop, body: subscriptionPayload("CANCELLED", "gid://shopify/AppSubscription/1", new Date(Date.now() + 1000).toISOString()) });
    await waitFor(async () => ((await (await api("/account", shop)).json()) as { status: string }).status === "inactive", 5000, "inactive");
    expect((await api("/login-link", shop, { method: "POST" })).status).toBe(409);
  });

  it("subscribes through the sandbox shop: confirmation URL, approve, webhook, active", async () => {
    server = await startTestServer(await backend.env());
    const shop = "buyer.myshopify.com";
    const res = await api("/billing/subscribe", shop, { method: "POST" });
    expect(res.status).toBe(200);
    const { confirmationUrl } = (await res.json()) as { confirmationUrl: string };
    const page = await fetch(confirmationUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1]?.replaceAll("&amp;", "&");
    expect(action).toBeTruthy();
    const approveFields = [...html.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]);
    const approve = await fetch(new URL(action!, server.url), {
      method: "POST", redirect: "manual",
      body: new URLSearchParams([...approveFields.filter(([n]) => n !== "decision"), ["decision", "approve"]]),
    });
    expect(approve.status).toBe(303);
    expect(approve.headers.get("location")).toContain(`shop=${shop}`);
    await waitFor(async () => ((await (await api("/account", shop)).json()) as { status: string }).status === "active", 10_000, "active after approval");
  });

  it("retries a failed provisioning from the page", async () => {
    server = await startTestServer(await backend.env());
    const shop = "retry.myshopify.com";
    expect((await api("/provisioning/retry", shop, { method: "POST" })).status).toBe(409);
    server.simulator!.faults.errorRate = 1;
    server.simulator!.faults.errorStatus = 400;
    await postWebhook(server.url, { topic: "app_subscriptions/update", shop, body: subscriptionPayload("ACTIVE") });
    const failed = await waitFor(async () => { const a = (await (await api("/account", shop)).json()) as { status: string; error: string }; return a.status === "failed" ? a : undefined; });
    expect(failed.error).toBe("MouseStats answered HTTP 400.");
    server.simulator!.faults.errorRate = 0;
    const retry = await api("/provisioning/retry", shop, { method: "POST" });
    expect(retry.status).toBe(202);
    await waitFor(async () => ((await (await api("/account", shop)).json()) as { status: string }).status === "active", 10_000, "active after retry");
    expect(server.simulator!.createAccountCalls("retry@example.com")).toBe(1);
  });
});
