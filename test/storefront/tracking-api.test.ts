import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSessionTokenSigner } from "../../src/shopify/session-token.ts";
import { startTestServer, waitFor, type TestServer } from "../helpers/test-server.ts";
import { postWebhook, subscriptionPayload } from "../helpers/webhook-request.ts";

const signer = createSessionTokenSigner({ apiKey: "sandbox-api-key", apiSecret: "sandbox-api-secret" });
const LONG_ID = "5003504249777020952";

describe("/api/tracking over HTTP (sandbox shop)", () => {
  let server: TestServer;
  beforeAll(async () => { server = await startTestServer(); });
  afterAll(async () => { await server.close(); });
  // The sandbox shop has no theme editor: the deep link leads to its stand-in page.
  const embedUrl = (shop: string) => `${server.config.shopify.appUrl}/sandbox/theme-editor?shop=${shop}&activateAppId=sandbox-api-key%2Fmousestats-tracking`;

  const call = (shop: string, init: RequestInit = {}) => fetch(`${server.url}/api/tracking`, {
    ...init,
    headers: { authorization: `Bearer ${signer.sign({ shop, now: Date.now() })}`, ...(init.headers as Record<string, string> | undefined) },
  });
  const put = (shop: string, body: string, contentType = "application/json") =>
    call(shop, { method: "PUT", body, headers: { "content-type": contentType } });
  /** Subscribes the shop (a signed ACTIVE webhook) and waits for its account: tracking needs one. */
  const subscribe = async (shop: string) => {
    await postWebhook(server.url, { topic: "app_subscriptions/update", shop, body: subscriptionPayload("ACTIVE") });
    await waitFor(() => server.database.sqlite.prepare("select 1 from accounts where email = ? and status = 'active'").get(shop.replace(".myshopify.com", "@example.com")), 10_000, "active account");
  };
  /** Before the page has seen the app embed on, the checklist's last steps have not started. */
  const notStarted = expect.objectContaining({ embedActiveSince: null, visitsAtEmbed: null, recorded: false });
  const settings = (siteId: string | null, shop: string) => ({ siteId, embedUrl: embedUrl(shop), withdrawnSiteId: null, progress: notStarted });

  it("reports no site ID and the theme-editor link before one is saved", async () => {
    const res = await call("fresh.myshopify.com");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(settings(null, "fresh.myshopify.com"));
    const page = await fetch(embedUrl("fresh.myshopify.com"));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("https://fresh.myshopify.com/admin/themes/current/editor?context=apps&amp;activateAppId=sandbox-api-key/mousestats-tracking");
  });

  it("saves a 19-digit site ID without losing digits and reads it back", async () => {
    const shop = "saver.myshopify.com";
    await subscribe(shop);
    const res = await put(shop, JSON.stringify({ siteId: LONG_ID }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(settings(LONG_ID, shop));
    expect(await (await call(shop)).json()).toEqual(settings(LONG_ID, shop));
    // Another shop's settings are its own.
    expect(await (await call("neighbour.myshopify.com")).json()).toMatchObject({ siteId: null });
  });

  it("replaces the site ID, accepting a pasted tracking code", async () => {
    const shop = "paster.myshopify.com";
    await subscribe(shop);
    await put(shop, JSON.stringify({ siteId: "1234567" }));
    const snippet = `<!-- MouseStats:Begin --><script>s.src='//ssl.mousestats.com/js/5/0/${LONG_ID}.js?'</script><!-- MouseStats:End -->`;
    const res = await put(shop, JSON.stringify({ siteId: snippet }));
    expect(res.status).toBe(200);
    expect(await (await call(shop)).json()).toMatchObject({ siteId: LONG_ID });
  });

  it("removes the saved site ID; the storefront then loads nothing", async () => {
    const shop = "remover.myshopify.com";
    await subscribe(shop);
    await put(shop, JSON.stringify({ siteId: LONG_ID }));
    const res = await call(shop, { method: "DELETE" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(settings(null, shop));
    expect(await (await call(shop)).json()).toMatchObject({ siteId: null });
    // Removing what is not there is not an error.
    expect((await call(shop, { method: "DELETE" })).status).toBe(200);
    expect((await fetch(`${server.url}/api/tracking`, { method: "DELETE", headers: { authorization: "Bearer nope" } })).status).toBe(401);
  });

  it.each([
    ["letters", JSON.stringify({ siteId: "abc123" }), /digits only/],
    ["too short", JSON.stringify({ siteId: "12" }), /4 to 20 digits/],
    ["too long", JSON.stringify({ siteId: "1".repeat(21) }), /4 to 20 digits/],
    ["a leading zero", JSON.stringify({ siteId: "01234" }), /does not start with 0/],
    ["a JSON number", `{"siteId": ${LONG_ID}}`, /as a string/],
    ["no siteId", JSON.stringify({}), /Enter your MouseStats site ID/],
    ["an empty siteId", JSON.stringify({ siteId: "  " }), /Enter your MouseStats site ID/],
    ["markup", JSON.stringify({ siteId: '1234"><script>' }), /digits only/],
    ["a JSON array", JSON.stringify([LONG_ID]), /JSON object/],
    ["malformed JSON", "{siteId:", /JSON object/],
  ])("answers 400 with a clear error for %s, and keeps the saved ID", async (_name, body, error) => {
    const shop = "strict.myshopify.com";
    await subscribe(shop);
    expect((await put(shop, JSON.stringify({ siteId: "987654321" }))).status).toBe(200);
    const res = await put(shop, body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(error);
    expect(await (await call(shop)).json()).toMatchObject({ siteId: "987654321" });
  });

  it("refuses to switch tracking on (409) while the shop has no active account", async () => {
    const res = await put("unsubscribed.myshopify.com", JSON.stringify({ siteId: LONG_ID }));
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: "Tracking needs an active heatmaps account: subscribe first.", code: "needs_active_account" });
    expect(await (await call("unsubscribed.myshopify.com")).json()).toMatchObject({ siteId: null });
  });

  it("takes the site ID off the storefront when access ends, offers it back, and restores nothing by itself", async () => {
    const shop = "lapsed.myshopify.com";
    await subscribe(shop);
    expect((await put(shop, JSON.stringify({ siteId: LONG_ID }))).status).toBe(200);
    await postWebhook(server.url, { topic: "app_subscriptions/update", shop, body: subscriptionPayload("CANCELLED", "gid://shopify/AppSubscription/1", new Date(Date.now() + 1000).toISOString()) });
    await waitFor(async () => ((await (await call(shop)).json()) as { siteId: string | null }).siteId === null, 10_000, "site ID withdrawn");
    expect(await (await call(shop)).json()).toEqual({ siteId: null, embedUrl: embedUrl(shop), withdrawnSiteId: LONG_ID, progress: notStarted });
    expect((await put(shop, JSON.stringify({ siteId: LONG_ID }))).status).toBe(409);
    // Access back: still off until the merchant saves it again.
    await postWebhook(server.url, { topic: "app_subscriptions/update", shop, body: subscriptionPayload("ACTIVE", "gid://shopify/AppSubscription/2", new Date(Date.now() + 2000).toISOString()) });
    await waitFor(async () => ((await (await fetch(`${server.url}/api/account`, { headers: { authorization: `Bearer ${signer.sign({ shop, now: Date.now() })}` } })).json()) as { status: string }).status === "active", 10_000, "access back");
    expect(await (await call(shop)).json()).toEqual({ siteId: null, embedUrl: embedUrl(shop), withdrawnSiteId: LONG_ID, progress: notStarted });
    expect(await (await put(shop, JSON.stringify({ siteId: LONG_ID }))).json()).toEqual(settings(LONG_ID, shop));
  });

  it("answers 413 for an oversized body", async () => {
    const res = await put("big.myshopify.com", JSON.stringify({ siteId: LONG_ID, pad: "x".repeat(10_000) }));
    expect(res.status).toBe(413);
  });

  it("answers 401 without a valid session token, and saves nothing", async () => {
    for (const init of [{}, { method: "PUT", body: JSON.stringify({ siteId: LONG_ID }), headers: { "content-type": "application/json" } }]) {
      const res = await fetch(`${server.url}/api/tracking`, { ...init, headers: { ...init.headers, authorization: "Bearer nope" } });
      expect(res.status).toBe(401);
      expect(res.headers.get("x-shopify-retry-invalid-session-request")).toBe("1");
    }
    expect(server.database.sqlite.prepare("select count(*) n from shopify_sessions where shop = 'nobody.myshopify.com'").get()).toEqual({ n: 0 });
  });

  it("installs the shop on the first call, like every /api route", async () => {
    await call("installs.myshopify.com");
    expect(server.database.sqlite.prepare("select shop from shopify_sessions where shop = 'installs.myshopify.com'").get()).toEqual({ shop: "installs.myshopify.com" });
  });
});
