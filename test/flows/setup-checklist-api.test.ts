import type { ShopifyGlobal } from "@shopify/app-bridge-types";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { SandboxExtensionInfo } from "../../src/sandbox/sandbox-admin.ts";
import { createSessionTokenSigner } from "../../src/shopify/session-token.ts";
import { describeEachBackend } from "../helpers/backends.ts";
import { startTestServer, waitFor, type TestServer } from "../helpers/test-server.ts";

const signer = createSessionTokenSigner({ apiKey: "sandbox-api-key", apiSecret: "sandbox-api-secret" });

// The sandbox's answer must be what App Bridge's `shopify.app.extensions()` resolves to (checked by `npm run typecheck`).
const _sameShape: Awaited<ReturnType<ShopifyGlobal["app"]["extensions"]>> = [] as SandboxExtensionInfo[];
void _sameShape;

/** The checklist's server side over real HTTP: the sandbox shop, the simulator, a SQLite file or PostgreSQL. */
describeEachBackend("setup checklist API (sandbox shop, simulated MouseStats)", (backend) => {
  let server: TestServer;
  let clockMs = 0;
  beforeAll(async () => { server = await startTestServer({ ...await backend.env(), BILLING_TRIAL_DAYS: "14", BILLING_PRICE: "19", BILLING_CURRENCY: "EUR" }); });
  /** Moves the app's clock (past the 5-minute usage cache); session tokens follow it. */
  const advanceClock = (ms: number) => { clockMs += ms; server.advanceClock(ms); };
  afterAll(async () => { await server.close(); });

  const api = (shop: string, method: string, path: string, body?: unknown) => fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${signer.sign({ shop, now: Date.now() + clockMs })}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

  /** Subscribe as the page does and approve on the sandbox's confirmation page; returns the charge id. */
  async function subscribeAndApprove(shop: string): Promise<string> {
    const { confirmationUrl } = (await (await api(shop, "POST", "/api/billing/subscribe")).json()) as { confirmationUrl: string };
    const charge = new URL(confirmationUrl).searchParams.get("charge")!;
    const res = await fetch(`${server.url}/sandbox/confirm`, { method: "POST", body: new URLSearchParams({ charge, decision: "approve" }), redirect: "manual" });
    expect(res.status).toBe(303);
    await waitFor(() => server.count("accounts where email = @email and status = 'active'", { email: shop.replace(".myshopify.com", "@example.com") }), 10_000, "active account");
    return charge;
  }

  it("offers the configured plan in /api/account, and reports the Shopify subscription in /api/billing", async () => {
    const shop = "billing-shop.myshopify.com";
    const offer = { name: "MouseStats Heatmaps", amount: 19, currencyCode: "EUR", interval: "EVERY_30_DAYS", trialDays: 14, test: true };
    expect(await (await api(shop, "GET", "/api/account")).json()).toMatchObject({ status: "none", offer });
    expect(await (await api(shop, "GET", "/api/billing")).json()).toEqual({ offer, subscription: null });

    const charge = await subscribeAndApprove(shop);
    const billing = await (await api(shop, "GET", "/api/billing")).json() as { subscription: Record<string, unknown> };
    expect(billing.subscription).toMatchObject({ name: "MouseStats Heatmaps", status: "ACTIVE", test: true, source: "subscription" });
    const created = Date.parse(billing.subscription.createdAt as string);
    expect(Date.parse(billing.subscription.trialEndsAt as string) - created).toBe(14 * 86_400_000);
    expect(Date.parse(billing.subscription.currentPeriodEnd as string)).toBeGreaterThan(Date.now());
    expect(server.sandboxAdmin!.getCharge(charge)?.status).toBe("ACTIVE");
  });

  it("reports a declined charge, so the page can say nothing was charged", async () => {
    const shop = "decliner.myshopify.com";
    const { confirmationUrl } = (await (await api(shop, "POST", "/api/billing/subscribe")).json()) as { confirmationUrl: string };
    const charge = new URL(confirmationUrl).searchParams.get("charge")!;
    await fetch(`${server.url}/sandbox/confirm`, { method: "POST", body: new URLSearchParams({ charge, decision: "decline" }), redirect: "manual" });
    expect(await (await api(shop, "GET", "/api/billing")).json()).toMatchObject({ subscription: { status: "DECLINED" } });
  });

  it("switches the sandbox shop's embed from its theme editor, and answers in App Bridge's shape", async () => {
    const shop = "embed-shop.myshopify.com";
    const extensions = async () => (await (await fetch(`${server.url}/sandbox/app-extensions?shop=${shop}`)).json()) as SandboxExtensionInfo[];
    expect((await extensions())[0]).toMatchObject({ handle: "mousestats-tracking", type: "theme_app_extension", activations: [{ handle: "mousestats-tracking", target: "head", status: "available", activations: [] }] });
    const save = (embed: string) => fetch(`${server.url}/sandbox/theme-editor`, {
      method: "POST", body: new URLSearchParams({ shop, activateAppId: "sandbox-api-key/mousestats-tracking", embed }), redirect: "manual",
    });
    expect((await save("on")).status).toBe(303);
    const on = (await extensions())[0]!.activations[0]!;
    expect(on.status).toBe("active");
    expect(on.activations).toEqual([{ target: "head", themeId: expect.stringMatching(/^gid:\/\/shopify\/OnlineStoreTheme\/\d+$/) }]);
    expect(await (await fetch(`${server.url}/sandbox/theme-editor?shop=${shop}&activateAppId=sandbox-api-key/mousestats-tracking`)).text()).toContain('<strong id="embed-state">on</strong>');
    await save("off");
    expect((await extensions())[0]!.activations[0]!.status).toBe("available");
    expect((await save("maybe")).status).toBe(400);
    expect((await fetch(`${server.url}/sandbox/app-extensions?shop=evil.com`)).status).toBe(400);
  });

  it("counts first visits from when the page saw the embed on, and starts over when it is seen off", async () => {
    const shop = "visits-shop.myshopify.com";
    const email = "visits-shop@example.com";
    await subscribeAndApprove(shop);
    server.simulator!.setAccountUsage(email, { heatmapVisits: 40, playbackVisits: 2 });
    advanceClock(6 * 60_000);
    await api(shop, "GET", "/api/account"); // the page's load refreshes the 5-minute usage cache

    const embed = async (status: string) => (await api(shop, "PUT", "/api/tracking/embed", { status })).json() as Promise<{ progress: Record<string, unknown> }>;
    const { progress: seenOn } = await embed("active");
    expect(seenOn).toMatchObject({ visitsAtEmbed: 42, visits: 42, recorded: false });
    expect(typeof seenOn.embedActiveSince).toBe("string");
    // Seen on again later: the baseline stays where it was.
    expect((await embed("active")).progress).toMatchObject({ embedActiveSince: seenOn.embedActiveSince, visitsAtEmbed: 42 });

    server.simulator!.setAccountUsage(email, { heatmapVisits: 50, playbackVisits: 2 });
    advanceClock(6 * 60_000);
    await api(shop, "GET", "/api/account");
    expect((await (await api(shop, "GET", "/api/tracking")).json() as { progress: unknown }).progress).toMatchObject({ visits: 52, visitsAtEmbed: 42, recorded: true });

    // Switched off in the theme: the next switch-on counts from then.
    expect((await embed("available")).progress).toEqual({ embedActiveSince: null, visitsAtEmbed: null, visits: 52, recorded: false });
    expect((await embed("active")).progress).toMatchObject({ visitsAtEmbed: 52, recorded: false });

    const bad = await api(shop, "PUT", "/api/tracking/embed", { status: "on" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: "bad_request" });
    expect((await fetch(`${server.url}/api/tracking/embed`, { method: "PUT", body: "{}" })).status).toBe(401);
  });

  it("answers refusals with a code the page words in the merchant's language", async () => {
    const shop = "coded-shop.myshopify.com";
    const locked = await api(shop, "PUT", "/api/tracking", { siteId: "5003504249777020952" });
    expect(locked.status).toBe(409);
    expect(await locked.json()).toMatchObject({ code: "needs_active_account" });
    await subscribeAndApprove(shop);
    const short = await api(shop, "PUT", "/api/tracking", { siteId: "123" });
    expect(short.status).toBe(400);
    expect(await short.json()).toMatchObject({ code: "site_id_length", params: { min: 4, max: 20, length: 3 }, field: "siteId" });
    expect(await (await api(shop, "PUT", "/api/tracking", { siteId: "12a4" })).json()).toMatchObject({ code: "site_id_digits" });
  });
});
