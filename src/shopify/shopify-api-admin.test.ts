import { Writable } from "node:stream";
import type { MockAgent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger, createSilentLogger } from "../logger.ts";
import {
  APP_INSTALLATION_ID_QUERY,
  APP_METAFIELD_QUERY,
  APP_SUBSCRIPTION_CREATE_MUTATION,
  BILLING_STATE_QUERY,
  METAFIELDS_SET_MUTATION,
  SHOP_INFO_QUERY,
} from "./admin-graphql.ts";
import { ShopifyRequestError, ShopifyThrottledError, ShopifyUnauthorizedError, ShopifyUserError } from "./errors.ts";
import type { OfflineSession } from "./offline-session.ts";
import { createSessionTokenSigner } from "./session-token.ts";
import { createShopifyApiAdmin } from "./shopify-api-admin.ts";
import { installShopifyMockAgent, readInterceptedBody } from "../../test/helpers/shopify-mock-agent.ts";

// Not the defaults: every field must come from the configured plan.
const plan = { name: "Heatmaps Pro", amount: 90, currencyCode: "EUR", interval: "ANNUAL", trialDays: 7 } as const;

/*
 * The real adapter against intercepted HTTPS. Node 24's global fetch (its bundled undici 7)
 * reads the dispatcher from `globalThis[Symbol.for("undici.globalDispatcher.1")]`, and npm
 * undici 8's `setGlobalDispatcher` writes that slot too (wrapped for the v1 handler API), so
 * a MockAgent installed here sees every request `@shopify/shopify-api` makes.
 */

const API_KEY = "test-api-key";
const API_SECRET = "test-api-secret-do-not-log";
const SHOP = "my-shop.myshopify.com";
const ORIGIN = `https://${SHOP}`;
const GRAPHQL_PATH = "/admin/api/2026-10/graphql.json";
const ACCESS = "shpat_test_access_token_1234";
const JSON_HEADERS = { "content-type": "application/json" };

interface Recorded {
  body: unknown;
  headers: Record<string, string>;
}

let agent: MockAgent;
let restore: () => Promise<void>;

beforeEach(() => {
  ({ agent, restore } = installShopifyMockAgent());
});

afterEach(() => restore());

/** Queues one reply for `POST path` and records what was sent. */
function expectPost(path: string, status: number, reply: unknown, headers: Record<string, string> = JSON_HEADERS): Recorded[] {
  const recorded: Recorded[] = [];
  agent.get(ORIGIN).intercept({ path, method: "POST" }).reply(async (opts) => {
    const text = await readInterceptedBody(opts.body);
    recorded.push({ body: text ? JSON.parse(text) : undefined, headers: lowerCaseHeaders(opts.headers) });
    return { statusCode: status, data: typeof reply === "string" ? reply : JSON.stringify(reply), responseOptions: { headers } };
  });
  return recorded;
}

function lowerCaseHeaders(headers: unknown): Record<string, string> {
  const entries = headers instanceof Headers ? [...headers.entries()] : Object.entries((headers ?? {}) as Record<string, string>);
  return Object.fromEntries(entries.map(([k, v]) => [k.toLowerCase(), String(v)]));
}

const admin = () => createShopifyApiAdmin({ apiKey: API_KEY, apiSecret: API_SECRET, appUrl: "https://app.example.com", logger: createSilentLogger() });
const sessionToken = () => createSessionTokenSigner({ apiKey: API_KEY, apiSecret: API_SECRET }).sign({ shop: SHOP, now: Date.now() });
const session: OfflineSession = { id: `offline_${SHOP}`, shop: SHOP, accessToken: ACCESS };

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a rejection");
}

function expectNoSecrets(err: Error, ...secrets: string[]): void {
  const text = `${err.message} ${String(err.stack)} ${JSON.stringify(err)}`;
  for (const secret of [API_SECRET, ACCESS, ...secrets]) expect(text).not.toContain(secret);
}

describe("createShopifyApiAdmin: token exchange", () => {
  it("posts the token-exchange form for an expiring offline token", async () => {
    const token = sessionToken();
    const sent = expectPost("/admin/oauth/access_token", 200, {
      access_token: ACCESS, scope: "read_products", expires_in: 3600, refresh_token: "shprt_r1", refresh_token_expires_in: 7_776_000,
    });
    const before = Date.now();
    const result = await admin().exchangeToken(SHOP, token);

    expect(sent).toHaveLength(1);
    expect(sent[0]?.body).toEqual({
      client_id: API_KEY,
      client_secret: API_SECRET,
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: token,
      subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
      requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
      expiring: "1",
    });
    expect(sent[0]?.headers["content-type"]).toBe("application/json");
    expect(result).toMatchObject({ id: `offline_${SHOP}`, shop: SHOP, scope: "read_products", accessToken: ACCESS, refreshToken: "shprt_r1" });
    expect(result.expiresAt!.getTime()).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(result.expiresAt!.getTime()).toBeLessThanOrEqual(Date.now() + 3_600_000);
    expect(result.refreshTokenExpiresAt!.getTime()).toBeGreaterThanOrEqual(before + 7_776_000_000);
  });

  it("maps 400 invalid_subject_token to ShopifyUnauthorizedError without quoting tokens", async () => {
    const token = sessionToken();
    expectPost("/admin/oauth/access_token", 400, { error: "invalid_subject_token", error_description: "Token expired" });
    const err = await rejection(admin().exchangeToken(SHOP, token));
    expect(err).toBeInstanceOf(ShopifyUnauthorizedError);
    expect(err).toMatchObject({ reason: "invalid_subject_token", status: 400, operation: "exchangeToken" });
    expectNoSecrets(err, token);
  });

  it("refuses a session token the library rejects, without a request or quoting it", async () => {
    const stale = createSessionTokenSigner({ apiKey: API_KEY, apiSecret: API_SECRET }).sign({ shop: SHOP, now: Date.now() - 3_600_000 });
    const err = await rejection(admin().exchangeToken(SHOP, stale));
    expect(err).toBeInstanceOf(ShopifyUnauthorizedError);
    expect(err).toMatchObject({ reason: "invalid_session_token" });
    expectNoSecrets(err, stale);
  });

  it("maps 429 with Retry-After to ShopifyThrottledError", async () => {
    expectPost("/admin/oauth/access_token", 429, { errors: "Too many requests" }, { ...JSON_HEADERS, "retry-after": "2.5" });
    const err = await rejection(admin().exchangeToken(SHOP, sessionToken()));
    expect(err).toBeInstanceOf(ShopifyThrottledError);
    expect(err).toMatchObject({ retryAfterMs: 2500 });
  });

  it("maps an HTML error page to ShopifyRequestError without a status", async () => {
    expectPost("/admin/oauth/access_token", 502, "<html>Bad gateway</html>", { "content-type": "text/html" });
    const err = await rejection(admin().exchangeToken(SHOP, sessionToken()));
    expect(err).toBeInstanceOf(ShopifyRequestError);
    expect(err).toMatchObject({ status: null, code: "unreadable_reply" });
  });

  it("maps a 400 of another kind to ShopifyRequestError with the code", async () => {
    expectPost("/admin/oauth/access_token", 400, { error: "invalid_client" });
    const err = await rejection(admin().exchangeToken(SHOP, sessionToken()));
    expect(err).toBeInstanceOf(ShopifyRequestError);
    expect(err).toMatchObject({ status: 400, code: "invalid_client" });
    expectNoSecrets(err);
  });
});

describe("createShopifyApiAdmin: refresh", () => {
  it("posts grant_type refresh_token and returns the rotated pair", async () => {
    const sent = expectPost("/admin/oauth/access_token", 200, {
      access_token: "shpat_rotated", scope: "read_products", expires_in: 3600, refresh_token: "shprt_r2", refresh_token_expires_in: 7_776_000,
    });
    const result = await admin().refreshToken(SHOP, "shprt_r1");
    expect(sent[0]?.body).toEqual({ client_id: API_KEY, client_secret: API_SECRET, refresh_token: "shprt_r1", grant_type: "refresh_token" });
    expect(result).toMatchObject({ accessToken: "shpat_rotated", refreshToken: "shprt_r2" });
    expect(result.expiresAt).toBeInstanceOf(Date);
  });

  it("returns no expiry when the reply has no expires_in (offline-access fills it in)", async () => {
    expectPost("/admin/oauth/access_token", 200, { access_token: "shpat_rotated", scope: "read_products" });
    const result = await admin().refreshToken(SHOP, "shprt_r1");
    expect(result.expiresAt).toBeUndefined();
    expect(result.refreshToken).toBeUndefined();
  });

  it("maps 400 invalid_grant to ShopifyUnauthorizedError", async () => {
    expectPost("/admin/oauth/access_token", 400, { error: "invalid_grant" });
    const err = await rejection(admin().refreshToken(SHOP, "shprt_revoked"));
    expect(err).toBeInstanceOf(ShopifyUnauthorizedError);
    expect(err).toMatchObject({ reason: "invalid_grant", operation: "refreshToken" });
    expectNoSecrets(err, "shprt_revoked");
  });
});

describe("createShopifyApiAdmin: shop query", () => {
  it("sends the shop query with the access token and maps the reply", async () => {
    const sent = expectPost(GRAPHQL_PATH, 200, {
      data: { shop: { email: "Owner@Example.com", name: "My Shop", plan: { partnerDevelopment: true } } },
    });
    expect(await admin().fetchShopInfo(session)).toEqual({ email: "Owner@Example.com", name: "My Shop", isDevelopmentStore: true });
    expect(sent[0]?.body).toEqual({ query: SHOP_INFO_QUERY });
    expect(sent[0]?.headers["x-shopify-access-token"]).toBe(ACCESS);
    expect(SHOP_INFO_QUERY).toMatch(/shop\s*\{\s*email name plan \{ partnerDevelopment \}\s*\}/);
  });

  it("maps missing fields to null and false", async () => {
    expectPost(GRAPHQL_PATH, 200, { data: { shop: { email: null, name: null, plan: null } } });
    expect(await admin().fetchShopInfo(session)).toEqual({ email: null, name: null, isDevelopmentStore: false });
  });

  it.each([401, 403])("maps HTTP %i to ShopifyUnauthorizedError", async (status) => {
    expectPost(GRAPHQL_PATH, status, { errors: "[API] Invalid API key or access token" });
    const err = await rejection(admin().fetchShopInfo(session));
    expect(err).toBeInstanceOf(ShopifyUnauthorizedError);
    expect(err).toMatchObject({ status, reason: `http_${status}`, operation: "fetchShopInfo" });
    expectNoSecrets(err);
  });

  it("maps HTTP 429 to ShopifyThrottledError with Retry-After", async () => {
    expectPost(GRAPHQL_PATH, 429, { errors: "Throttled" }, { ...JSON_HEADERS, "retry-after": "3" });
    const err = await rejection(admin().fetchShopInfo(session));
    expect(err).toBeInstanceOf(ShopifyThrottledError);
    expect(err).toMatchObject({ retryAfterMs: 3000 });
  });

  it("maps a GraphQL THROTTLED error to ShopifyThrottledError with the bucket's wait", async () => {
    expectPost(GRAPHQL_PATH, 200, {
      errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }],
      extensions: { cost: { requestedQueryCost: 202, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 2, restoreRate: 100 } } },
    });
    const err = await rejection(admin().fetchShopInfo(session));
    expect(err).toBeInstanceOf(ShopifyThrottledError);
    expect(err).toMatchObject({ retryAfterMs: 2000 });
  });

  it("maps other GraphQL errors to ShopifyRequestError with status 200", async () => {
    expectPost(GRAPHQL_PATH, 200, { errors: [{ message: "Access denied for plan field.", extensions: { code: "ACCESS_DENIED" } }] });
    const err = await rejection(admin().fetchShopInfo(session));
    expect(err).toBeInstanceOf(ShopifyRequestError);
    expect(err).toMatchObject({ status: 200, code: "ACCESS_DENIED" });
  });

  it.each([500, 503])("maps HTTP %i to a retriable ShopifyRequestError", async (status) => {
    expectPost(GRAPHQL_PATH, status, { errors: "oops" });
    const err = await rejection(admin().fetchShopInfo(session));
    expect(err).toBeInstanceOf(ShopifyRequestError);
    expect(err).toMatchObject({ status });
  });

  it("maps a network failure to ShopifyRequestError without a status", async () => {
    agent.get(ORIGIN).intercept({ path: GRAPHQL_PATH, method: "POST" }).replyWithError(new Error("connection reset"));
    const err = await rejection(admin().fetchShopInfo(session));
    expect(err).toBeInstanceOf(ShopifyRequestError);
    expect(err).toMatchObject({ status: null });
  });

  it("refuses a reply of the wrong shape", async () => {
    expectPost(GRAPHQL_PATH, 200, { data: { shop: { email: 42 } } });
    const err = await rejection(admin().fetchShopInfo(session));
    expect(err).toMatchObject({ status: 200, code: "unexpected_reply" });
  });
});

describe("createShopifyApiAdmin: billing", () => {
  it("sends appSubscriptionCreate for the configured plan (name, price, currency, interval, trial) and returns the confirmation URL", async () => {
    const sent = expectPost(GRAPHQL_PATH, 200, {
      data: { appSubscriptionCreate: { appSubscription: { id: "gid://shopify/AppSubscription/1", status: "PENDING" }, confirmationUrl: "https://my-shop.myshopify.com/admin/charges/1/confirm", userErrors: [] } },
    });
    const result = await admin().createSubscription(session, { plan, returnUrl: "https://app.example.com/?shop=my-shop.myshopify.com", test: true });
    expect(result).toEqual({ confirmationUrl: "https://my-shop.myshopify.com/admin/charges/1/confirm" });
    expect(sent[0]?.body).toEqual({
      query: APP_SUBSCRIPTION_CREATE_MUTATION,
      variables: {
        name: "Heatmaps Pro",
        returnUrl: "https://app.example.com/?shop=my-shop.myshopify.com",
        test: true,
        trialDays: 7,
        lineItems: [{ plan: { appRecurringPricingDetails: { price: { amount: 90, currencyCode: "EUR" }, interval: "ANNUAL" } } }],
      },
    });
  });

  it("sends test: false for a real charge", async () => {
    const sent = expectPost(GRAPHQL_PATH, 200, { data: { appSubscriptionCreate: { confirmationUrl: "https://x", userErrors: [] } } });
    await admin().createSubscription(session, { plan, returnUrl: "https://app.example.com/", test: false });
    expect((sent[0]?.body as { variables: { test: boolean } }).variables.test).toBe(false);
  });

  it("throws ShopifyUserError with the userErrors' messages", async () => {
    expectPost(GRAPHQL_PATH, 200, {
      data: { appSubscriptionCreate: { appSubscription: null, confirmationUrl: null, userErrors: [{ field: ["returnUrl"], message: "Return url is invalid" }] } },
    });
    const err = await rejection(admin().createSubscription(session, { plan, returnUrl: "nope", test: true }));
    expect(err).toBeInstanceOf(ShopifyUserError);
    expect(err).toMatchObject({ messages: ["Return url is invalid"], operation: "createSubscription" });
  });
});

describe("createShopifyApiAdmin: billing state (Shopify's word on subscriptions and purchases)", () => {
  it("asks currentAppInstallation for every subscription and one-time purchase, newest first, and reads them", async () => {
    const sent = expectPost(GRAPHQL_PATH, 200, { data: { currentAppInstallation: {
      allSubscriptions: { nodes: [
        { id: "gid://shopify/AppSubscription/2", name: "MouseStats Heatmaps", status: "ACTIVE", test: false, trialDays: 7, createdAt: "2026-11-01T00:00:00Z", currentPeriodEnd: "2026-12-01T00:00:00Z" },
        { id: "gid://shopify/AppSubscription/1", name: "MouseStats Heatmaps", status: "CANCELLED", test: true, trialDays: 0, createdAt: "2026-10-01T00:00:00Z", currentPeriodEnd: null },
      ] },
      oneTimePurchases: { nodes: [{ id: "gid://shopify/AppPurchaseOneTime/9", name: "Credits", status: "ACTIVE", test: false, createdAt: "2026-09-01T00:00:00Z" }] },
    } } });
    const state = await admin().fetchBillingState(session);
    expect(sent[0]?.body).toEqual({ query: BILLING_STATE_QUERY });
    expect(BILLING_STATE_QUERY).toMatch(/allSubscriptions\(first: 25, reverse: true\)/);
    expect(state).toEqual([
      { id: "gid://shopify/AppSubscription/2", source: "subscription", name: "MouseStats Heatmaps", status: "ACTIVE", test: false, trialDays: 7, createdAt: new Date("2026-11-01T00:00:00Z"), currentPeriodEnd: new Date("2026-12-01T00:00:00Z") },
      { id: "gid://shopify/AppSubscription/1", source: "subscription", name: "MouseStats Heatmaps", status: "CANCELLED", test: true, trialDays: 0, createdAt: new Date("2026-10-01T00:00:00Z"), currentPeriodEnd: null },
      { id: "gid://shopify/AppPurchaseOneTime/9", source: "purchase", name: "Credits", status: "ACTIVE", test: false, trialDays: null, createdAt: new Date("2026-09-01T00:00:00Z"), currentPeriodEnd: null },
    ]);
  });

  it("gives up on a call Shopify does not answer in time, with a timeout error", async () => {
    agent.get(ORIGIN).intercept({ path: GRAPHQL_PATH, method: "POST" }).reply(200, { data: {} }).delay(2_000);
    const slow = createShopifyApiAdmin({ apiKey: API_KEY, apiSecret: API_SECRET, appUrl: "https://app.example.com", logger: createSilentLogger(), timeoutMs: 200 });
    const started = performance.now();
    const err = await rejection(slow.fetchBillingState(session));
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(err).toBeInstanceOf(ShopifyRequestError);
    expect(err).toMatchObject({ code: "timeout", operation: "fetchBillingState" });
  });

  it("stops at once when the caller's signal aborts (a job's deadline), with the caller's reason", async () => {
    agent.get(ORIGIN).intercept({ path: GRAPHQL_PATH, method: "POST" }).reply(200, { data: {} }).delay(2_000);
    const deadline = new AbortController();
    setTimeout(() => deadline.abort(new Error("job deadline")), 100);
    await expect(admin().fetchShopInfo(session, { signal: deadline.signal })).rejects.toThrow("job deadline");
  });
});

describe("createShopifyApiAdmin: app-data metafields", () => {
  const INSTALLATION = "gid://shopify/AppInstallation/7284162594";

  it("reads the app installation id, then sends metafieldsSet with it as owner", async () => {
    const first = expectPost(GRAPHQL_PATH, 200, { data: { currentAppInstallation: { id: INSTALLATION } } });
    const second = expectPost(GRAPHQL_PATH, 200, { data: { metafieldsSet: { metafields: [{ id: "gid://shopify/Metafield/1" }], userErrors: [] } } });
    await admin().setAppMetafield(session, { namespace: "mousestats", key: "site_id", type: "single_line_text_field", value: "5003504249777020952" });
    expect(first[0]?.body).toEqual({ query: APP_INSTALLATION_ID_QUERY });
    expect(second[0]?.body).toEqual({
      query: METAFIELDS_SET_MUTATION,
      variables: {
        metafields: [{ ownerId: INSTALLATION, namespace: "mousestats", key: "site_id", type: "single_line_text_field", value: "5003504249777020952" }],
      },
    });
    expect(second[0]?.headers["x-shopify-access-token"]).toBe(ACCESS);
    expect(APP_INSTALLATION_ID_QUERY).toMatch(/currentAppInstallation\s*\{\s*id\s*\}/);
    expect(METAFIELDS_SET_MUTATION).toMatch(/metafieldsSet\(metafields: \$metafields\)/);
  });

  it("throws ShopifyUserError when metafieldsSet refuses", async () => {
    expectPost(GRAPHQL_PATH, 200, { data: { currentAppInstallation: { id: INSTALLATION } } });
    expectPost(GRAPHQL_PATH, 200, { data: { metafieldsSet: { metafields: [], userErrors: [{ field: ["metafields", "0", "type"], message: "Type is invalid", code: "INVALID_TYPE" }] } } });
    const err = await rejection(admin().setAppMetafield(session, { namespace: "n", key: "k", type: "bogus", value: "v" }));
    expect(err).toBeInstanceOf(ShopifyUserError);
    expect(err).toMatchObject({ messages: ["Type is invalid"], operation: "setAppMetafield" });
  });

  it("sends no mutation when the installation query fails", async () => {
    expectPost(GRAPHQL_PATH, 401, { errors: "[API] Invalid API key or access token" });
    const err = await rejection(admin().setAppMetafield(session, { namespace: "n", key: "k", type: "single_line_text_field", value: "v" }));
    expect(err).toBeInstanceOf(ShopifyUnauthorizedError);
    expectNoSecrets(err);
  });

  it("reads an app-data metafield's value", async () => {
    const sent = expectPost(GRAPHQL_PATH, 200, { data: { currentAppInstallation: { metafield: { value: "5003504249777020952" } } } });
    expect(await admin().getAppMetafield(session, "mousestats", "site_id")).toBe("5003504249777020952");
    expect(sent[0]?.body).toEqual({ query: APP_METAFIELD_QUERY, variables: { namespace: "mousestats", key: "site_id" } });
  });

  it("returns null for a missing metafield", async () => {
    expectPost(GRAPHQL_PATH, 200, { data: { currentAppInstallation: { metafield: null } } });
    expect(await admin().getAppMetafield(session, "mousestats", "site_id")).toBeNull();
  });
});

describe("createShopifyApiAdmin: logging", () => {
  it("logs nothing that carries a token or the secret", async () => {
    const lines: string[] = [];
    const destination = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const logged = createShopifyApiAdmin({ apiKey: API_KEY, apiSecret: API_SECRET, appUrl: "https://app.example.com", logger: createLogger({ level: "trace", destination }) });
    const token = sessionToken();
    expectPost("/admin/oauth/access_token", 200, { access_token: ACCESS, scope: "", expires_in: 3600, refresh_token: "shprt_x", refresh_token_expires_in: 60 });
    expectPost(GRAPHQL_PATH, 200, { data: { shop: { email: "a@b.c", name: "n", plan: null } } });
    await logged.exchangeToken(SHOP, token);
    await logged.fetchShopInfo(session);
    const text = lines.join("");
    for (const secret of [API_SECRET, ACCESS, token, "shprt_x"]) expect(text).not.toContain(secret);
  });
});
