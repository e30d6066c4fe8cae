import { describe, expect, it } from "vitest";
import { createSandboxAdmin } from "../sandbox/sandbox-admin.ts";
import { ShopNotInstalledError } from "../shopify/errors.ts";
import type { OfflineSession } from "../shopify/offline-session.ts";
import { embedActivationId, SITE_ID_METAFIELD, themeEditorEmbedUrl } from "./tracking-embed.ts";
import { createTrackingService } from "./tracking-service.ts";

const SHOP = "demo-shop.myshopify.com";
const API_KEY = "1a2b3c4d5e6f";
const EMBED_URL = `https://${SHOP}/admin/themes/current/editor?context=apps&activateAppId=${API_KEY}/mousestats-tracking`;

function setup() {
  const admin = createSandboxAdmin({ appUrl: "http://localhost:3000", now: () => 0 });
  const sessions = {
    async getSession(shop: string): Promise<OfflineSession> {
      if (shop !== SHOP) throw new ShopNotInstalledError(shop);
      return { id: `offline_${shop}`, shop, accessToken: "shpat_sandbox_x" };
    },
  };
  return { admin, tracking: createTrackingService({ admin, sessions, apiKey: API_KEY }) };
}

describe("themeEditorEmbedUrl", () => {
  it("is Shopify's app-embed deep link with <client id>/<block handle>", () => {
    expect(themeEditorEmbedUrl(SHOP, embedActivationId(API_KEY))).toBe(EMBED_URL);
  });
});

describe("createTrackingService", () => {
  it("reads no site ID before one is saved, and the deep link", async () => {
    const { tracking } = setup();
    expect(await tracking.read(SHOP)).toEqual({ siteId: null, embedUrl: EMBED_URL });
  });

  it("saves the site ID as an app-data metafield and reads it back", async () => {
    const { admin, tracking } = setup();
    expect(await tracking.save(SHOP, "5003504249777020952")).toEqual({ siteId: "5003504249777020952", embedUrl: EMBED_URL });
    expect(await tracking.read(SHOP)).toEqual({ siteId: "5003504249777020952", embedUrl: EMBED_URL });
    const session = { id: `offline_${SHOP}`, shop: SHOP, accessToken: "t" };
    expect(await admin.getAppMetafield(session, SITE_ID_METAFIELD.namespace, SITE_ID_METAFIELD.key)).toBe("5003504249777020952");
  });

  it("clears the site ID: the metafield is gone", async () => {
    const { admin, tracking } = setup();
    await tracking.save(SHOP, "123456");
    expect(await tracking.clear(SHOP)).toEqual({ siteId: null, embedUrl: EMBED_URL });
    const session = { id: `offline_${SHOP}`, shop: SHOP, accessToken: "t" };
    expect(await admin.getAppMetafield(session, SITE_ID_METAFIELD.namespace, SITE_ID_METAFIELD.key)).toBeNull();
  });

  it("shows a stored value the loader would refuse as unset", async () => {
    const { admin, tracking } = setup();
    const session = { id: `offline_${SHOP}`, shop: SHOP, accessToken: "t" };
    await admin.setAppMetafield(session, { ...SITE_ID_METAFIELD, value: "not-a-site-id" });
    expect((await tracking.read(SHOP)).siteId).toBeNull();
  });

  it("refuses to save an unvalidated value", async () => {
    const { tracking } = setup();
    await expect(tracking.save(SHOP, " 123")).rejects.toBeInstanceOf(TypeError);
  });

  it("lets the sandbox shop point the deep link at its own page", async () => {
    const { admin } = setup();
    const tracking = createTrackingService({
      admin, apiKey: API_KEY, sessions: { getSession: async (shop) => ({ id: `offline_${shop}`, shop, accessToken: "t" }) },
      themeEditorUrl: (shop, id) => `http://localhost:3000/sandbox/theme-editor?shop=${shop}&activateAppId=${id}`,
    });
    expect((await tracking.read(SHOP)).embedUrl).toBe(`http://localhost:3000/sandbox/theme-editor?shop=${SHOP}&activateAppId=${API_KEY}/mousestats-tracking`);
  });

  it("needs the shop's offline session", async () => {
    const { tracking } = setup();
    await expect(tracking.read("other.myshopify.com")).rejects.toBeInstanceOf(ShopNotInstalledError);
  });
});
