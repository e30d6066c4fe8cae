import { afterAll, beforeAll, expect, it } from "vitest";
import { proxyUrl } from "../helpers/app-proxy-request.ts";
import { describeEachBackend } from "../helpers/backends.ts";
import { startTestServer, waitFor, type TestServer } from "../helpers/test-server.ts";
import { orderPayload, postWebhook } from "../helpers/webhook-request.ts";

/** The buyers' side behind Shopify's app proxy, over real HTTP, signed as Shopify signs. */
describeEachBackend("GET /proxy and /proxy/open (app proxy)", (backend) => {
  let server: TestServer;
  const STORE = "proxy-store.myshopify.com";
  const OTHER_STORE = "other-store.myshopify.com";
  const get = (path: string, input: Parameters<typeof proxyUrl>[2]) => fetch(proxyUrl(server.url, path, input), { redirect: "manual" });
  const tokensMinted = () => server.simulator!.calls.filter((c) => c.op === "GenerateLoginToken").length;
  const order = (shop: string, id: number, email: string, customerId: number | null) => postWebhook(server.url, {
    topic: "orders/paid", shop, body: JSON.stringify({ ...orderPayload({ id, email, skus: ["HM"] }), customer: customerId === null ? null : { id: customerId, email } }),
  });
  const active = (email: string) => waitFor(() => server.count("accounts where email = @email and status = 'active'", { email }), 10_000, `${email} active`);

  beforeAll(async () => {
    server = await startTestServer({ ...await backend.env(), ADDON_SKUS: "HM", ADDON_PRODUCT_URL: "/products/heatmaps" });
    await order(STORE, 1, "buyer@x.com", 501);
    await order(STORE, 2, "guest@x.com", null);
    await active("buyer@x.com");
    await active("guest@x.com");
  });
  afterAll(async () => { await server.close(); });

  it.each([
    ["forged", { signature: "0".repeat(64) }],
    ["signed with another secret", { secret: "not-the-app-secret" }],
    ["missing", { signature: null }],
    ["stale (10 minutes old)", { timestamp: Math.floor(Date.now() / 1000) - 600 }],
  ])("answers 401 and mints nothing for a %s signature", async (_name, tweak) => {
    const before = tokensMinted();
    for (const path of ["", "/open"]) {
      const res = await get(path, { shop: STORE, customer: "501", extra: { email: "buyer@x.com" }, ...tweak });
      expect(res.status).toBe(401);
      expect(res.headers.get("cache-control")).toBe("no-store");
    }
    expect(tokensMinted()).toBe(before);
  });

  it("shows a signed-out visitor the store's sign-in, coming back here", async () => {
    const res = await get("", { shop: STORE });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/liquid; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.text()).toContain('href="{{ routes.account_login_url }}?return_url=%2Fapps%2Fheatmaps"');
  });

  it("lists the signed-in buyer's account, and opens it: 302 to doLogin with a token MouseStats issued", async () => {
    const page = await (await get("", { shop: STORE, customer: "501" })).text();
    expect(page).toContain('data-testid="account-email">buyer@x.com<');
    expect(page).toContain('href="/apps/heatmaps/open?email=buyer%40x.com"');
    expect(page).not.toContain("guest@x.com");
    const before = tokensMinted();
    const res = await get("/open", { shop: STORE, customer: "501", extra: { email: "buyer@x.com" } });
    expect(res.status).toBe(302);
    const location = res.headers.get("location")!;
    expect(location).toMatch(new RegExp(`^${server.config.mousestats.loginUrl}\\?_token=[0-9A-F]{32}$`));
    expect(tokensMinted()).toBe(before + 1);
    expect(await (await fetch(location)).text()).toContain("buyer@x.com");
  });

  it.each([
    ["another customer of the same store", STORE, "777"],
    ["the same customer id on another store", OTHER_STORE, "501"],
  ])("opens nothing for %s: no token, the page says why", async (_name, shop, customer) => {
    const before = tokensMinted();
    const res = await get("/open", { shop, customer, extra: { email: "buyer@x.com" } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('data-reason="no-account"');
    expect(tokensMinted()).toBe(before);
    expect(await (await get("", { shop, customer })).text()).toContain('data-testid="product" href="/products/heatmaps"');
  });

  it("hands a guest order to the customer who signs in with its email: once by email, then by id", async () => {
    // The store's customer 900 has that email (the sandbox shop answers the Admin API's customer query).
    server.sandboxAdmin!.addCustomer(STORE, "900", "Guest@X.com");
    expect(await (await get("", { shop: STORE, customer: "900" })).text()).toContain('data-testid="account-email">guest@x.com<');
    expect(await server.rows("select customer_id from shop_accounts where account_email = 'guest@x.com'")).toEqual([{ customer_id: "900" }]);
    expect(await server.rows("select owner from accounts where email = 'guest@x.com'")).toEqual([{ owner: `buyer:${STORE}:900` }]);
    // From now on by id: even when the store no longer tells the email, and for nobody else.
    server.sandboxAdmin!.addCustomer(STORE, "900", "changed@x.com");
    expect((await get("/open", { shop: STORE, customer: "900", extra: { email: "guest@x.com" } })).status).toBe(302);
    server.sandboxAdmin!.addCustomer(STORE, "901", "guest@x.com");
    expect(await (await get("/open", { shop: STORE, customer: "901", extra: { email: "guest@x.com" } })).text()).toContain('data-reason="no-account"');
  });

  it("says why an account cannot be opened yet, and mints nothing", async () => {
    Object.assign(server.simulator!.faults, { errorRate: 1, errorStatus: 503 });
    await order(STORE, 3, "slow@x.com", 600);
    await waitFor(() => server.count("shop_accounts where account_email = 'slow@x.com'"), 10_000, "mapping");
    const before = tokensMinted();
    const page = await (await get("/open", { shop: STORE, customer: "600", extra: { email: "slow@x.com" } })).text();
    expect(page).toContain('data-reason="not-ready"');
    expect(page).toContain('data-status="pending"');
    expect(tokensMinted()).toBe(before);
    Object.assign(server.simulator!.faults, { errorRate: 0 });
  });

  it("limits login links per account, whoever asks (10 a minute)", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await get("/open", { shop: STORE, customer: "501", extra: { email: "buyer@x.com" } })).status);
    expect(statuses.filter((s) => s === 302).length).toBeLessThanOrEqual(10);
    expect(await (await get("/open", { shop: STORE, customer: "501", extra: { email: "buyer@x.com" } })).text()).toContain('data-reason="rate-limited"');
  });
});
