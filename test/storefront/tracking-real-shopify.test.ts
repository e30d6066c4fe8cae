import type { MockAgent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { APP_INSTALLATION_ID_QUERY, APP_METAFIELD_QUERY, METAFIELDS_DELETE_MUTATION, METAFIELDS_SET_MUTATION } from "../../src/shopify/admin-graphql.ts";
import { createSessionTokenSigner } from "../../src/shopify/session-token.ts";
import { installShopifyMockAgent, readInterceptedBody } from "../helpers/shopify-mock-agent.ts";
import { seedActiveAccount } from "../helpers/seed-account.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

/*
 * PUT/GET /api/tracking on the real server with the real Shopify adapter: the app's own HTTP
 * stays on loopback, every call to the shop is intercepted (undici MockAgent) and asserted.
 */

const API_KEY = "real-api-key";
const API_SECRET = "real-api-secret";
const SHOP = "real-shop.myshopify.com";
const GRAPHQL_PATH = "/admin/api/2026-10/graphql.json";
const INSTALLATION = "gid://shopify/AppInstallation/904471";
const SITE_ID = "5003504249777020952";

let agent: MockAgent;
let restore: () => Promise<void>;
let server: TestServer | undefined;

beforeEach(() => {
  ({ agent, restore } = installShopifyMockAgent({ allowLoopback: true }));
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  await restore();
});

/** Queues one reply for a POST to the shop and returns the request bodies it saw. */
function shopReply(path: string, reply: unknown): unknown[] {
  const sent: unknown[] = [];
  agent.get(`https://${SHOP}`).intercept({ path, method: "POST" }).reply(async (opts) => {
    sent.push(JSON.parse(await readInterceptedBody(opts.body)));
    return { statusCode: 200, data: JSON.stringify(reply), responseOptions: { headers: { "content-type": "application/json" } } };
  });
  return sent;
}

function expectInstall(): void {
  shopReply("/admin/oauth/access_token", {
    access_token: "shpat_real", scope: "read_orders", expires_in: 3600, refresh_token: "shprt_real", refresh_token_expires_in: 7_776_000,
  });
  shopReply(GRAPHQL_PATH, { data: { shop: { email: "owner@real-shop.com", name: "Real", plan: { partnerDevelopment: false } } } });
}

/** The real server, with the shop already subscribed (tracking needs an active account). */
const startRealServer = async () => {
  const started = await startTestServer({
    SHOPIFY_API_KEY: API_KEY, SHOPIFY_API_SECRET: API_SECRET, SHOPIFY_APP_URL: "https://app.example.com", APP_ENCRYPTION_KEY: "ab".repeat(32),
  });
  await seedActiveAccount(started, SHOP);
  return started;
};
const bearer = () => ({ authorization: `Bearer ${createSessionTokenSigner({ apiKey: API_KEY, apiSecret: API_SECRET }).sign({ shop: SHOP, now: Date.now() })}` });
const putSiteId = (siteId: string) => fetch(`${server!.url}/api/tracking`, {
  method: "PUT", headers: { ...bearer(), "content-type": "application/json" }, body: JSON.stringify({ siteId }),
});

describe("/api/tracking against Shopify (real adapter, intercepted)", () => {
  it("saves the site ID with metafieldsSet on the app installation, then reads it back", async () => {
    server = await startRealServer();
    expectInstall();
    const installation = shopReply(GRAPHQL_PATH, { data: { currentAppInstallation: { id: INSTALLATION } } });
    const set = shopReply(GRAPHQL_PATH, { data: { metafieldsSet: { metafields: [{ id: "gid://shopify/Metafield/1" }], userErrors: [] } } });

    const res = await putSiteId(` ${SITE_ID} `);
    expect(res.status).toBe(200);
    const embedUrl = `https://${SHOP}/admin/themes/current/editor?context=apps&activateAppId=${API_KEY}/mousestats-tracking`;
    expect(await res.json()).toEqual({ siteId: SITE_ID, embedUrl, withdrawnSiteId: null, progress: expect.objectContaining({ embedActiveSince: null, recorded: false }) });
    expect(installation).toEqual([{ query: APP_INSTALLATION_ID_QUERY }]);
    expect(set).toEqual([{
      query: METAFIELDS_SET_MUTATION,
      variables: { metafields: [{ ownerId: INSTALLATION, namespace: "mousestats", key: "site_id", type: "single_line_text_field", value: SITE_ID }] },
    }]);

    const read = shopReply(GRAPHQL_PATH, { data: { currentAppInstallation: { metafield: { value: SITE_ID } } } });
    const got = await fetch(`${server.url}/api/tracking`, { headers: bearer() });
    expect(await got.json()).toEqual({ siteId: SITE_ID, embedUrl, withdrawnSiteId: null, progress: expect.objectContaining({ embedActiveSince: null, recorded: false }) });
    expect(read).toEqual([{ query: APP_METAFIELD_QUERY, variables: { namespace: "mousestats", key: "site_id" } }]);
  });

  it("answers 502 with Shopify's reason when metafieldsSet returns userErrors", async () => {
    server = await startRealServer();
    expectInstall();
    shopReply(GRAPHQL_PATH, { data: { currentAppInstallation: { id: INSTALLATION } } });
    shopReply(GRAPHQL_PATH, { data: { metafieldsSet: { metafields: [], userErrors: [{ field: ["metafields", "0", "value"], message: "Value is too long", code: "INVALID" }] } } });
    const res = await putSiteId(SITE_ID);
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ error: "Shopify did not accept the site ID: Value is too long", code: "shopify_refused" });
  });

  it("removes the site ID with metafieldsDelete on the app installation; 502 with Shopify's reason on userErrors", async () => {
    server = await startRealServer();
    expectInstall();
    const installation = shopReply(GRAPHQL_PATH, { data: { currentAppInstallation: { id: INSTALLATION } } });
    const deleted = shopReply(GRAPHQL_PATH, { data: { metafieldsDelete: { deletedMetafields: [{ key: "site_id", namespace: "mousestats", ownerId: INSTALLATION }], userErrors: [] } } });
    const res = await fetch(`${server.url}/api/tracking`, { method: "DELETE", headers: bearer() });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ siteId: null });
    expect(installation).toEqual([{ query: APP_INSTALLATION_ID_QUERY }]);
    expect(deleted).toEqual([{ query: METAFIELDS_DELETE_MUTATION, variables: { metafields: [{ ownerId: INSTALLATION, namespace: "mousestats", key: "site_id" }] } }]);
    expect(METAFIELDS_DELETE_MUTATION).toMatch(/metafieldsDelete\(metafields: \$metafields\)/);

    shopReply(GRAPHQL_PATH, { data: { currentAppInstallation: { id: INSTALLATION } } });
    shopReply(GRAPHQL_PATH, { data: { metafieldsDelete: { deletedMetafields: [null], userErrors: [{ field: ["metafields", "0"], message: "Owner not found" }] } } });
    const refused = await fetch(`${server.url}/api/tracking`, { method: "DELETE", headers: bearer() });
    expect(refused.status).toBe(502);
    expect(await refused.json()).toEqual({ error: "Shopify did not remove the site ID: Owner not found", code: "shopify_refused" });
  });

  it("sends nothing to Shopify's metafields for an invalid ID", async () => {
    server = await startRealServer();
    expectInstall();
    const res = await putSiteId("12ab");
    expect(res.status).toBe(400);
  });
});
