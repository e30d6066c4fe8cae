import { describe, expect, it } from "vitest";
import { ShopifyRequestError, ShopifyUnauthorizedError, ShopifyUserError } from "../shopify/errors.ts";
import type { OfflineSession } from "../shopify/offline-session.ts";
import { createSandboxAdmin } from "./sandbox-admin.ts";

const plan = { name: "MouseStats Heatmaps", amount: 9.99, currencyCode: "USD", interval: "EVERY_30_DAYS", trialDays: 0 } as const;

const SHOP = "demo-shop.myshopify.com";
const T0 = Date.UTC(2026, 10, 27, 8, 0, 0);

function setup() {
  let n = 0;
  const admin = createSandboxAdmin({ appUrl: "http://localhost:3000/", now: () => T0, randomToken: () => `r${++n}`, firstChargeId: 1001 });
  const session: OfflineSession = { id: `offline_${SHOP}`, shop: SHOP, accessToken: "shpat_sandbox_r0" };
  return { admin, session };
}

describe("createSandboxAdmin", () => {
  it("exchanges any session token for a fresh expiring offline session", async () => {
    const { admin } = setup();
    expect(await admin.exchangeToken(SHOP, "id-token")).toEqual({
      id: `offline_${SHOP}`, shop: SHOP, scope: "", accessToken: "shpat_sandbox_r1", expiresAt: new Date(T0 + 3_600_000),
      refreshToken: "shprt_sandbox_r2", refreshTokenExpiresAt: new Date(T0 + 90 * 86_400_000),
    });
  });

  it("mints new tokens on every exchange and refresh", async () => {
    const { admin } = setup();
    const first = await admin.exchangeToken(SHOP, "id-token");
    const refreshed = await admin.refreshToken(SHOP, first.refreshToken!);
    expect(refreshed.accessToken).not.toBe(first.accessToken);
    expect(refreshed.refreshToken).not.toBe(first.refreshToken);
  });

  it("uses random tokens by default", async () => {
    const admin = createSandboxAdmin({ appUrl: "http://localhost:3000", now: () => T0 });
    const a = await admin.exchangeToken(SHOP, "t");
    const b = await admin.exchangeToken(SHOP, "t");
    expect(a.accessToken).toMatch(/^shpat_sandbox_[0-9a-f]{32}$/);
    expect(a.accessToken).not.toBe(b.accessToken);
  });

  it.each(["evil.com", "Demo.myshopify.com", ""])("refuses the shop %j", async (shop) => {
    const { admin } = setup();
    await expect(admin.exchangeToken(shop, "t")).rejects.toBeInstanceOf(ShopifyRequestError);
  });

  it("refuses an empty session token and an empty refresh token", async () => {
    const { admin } = setup();
    await expect(admin.exchangeToken(SHOP, "")).rejects.toBeInstanceOf(ShopifyUnauthorizedError);
    await expect(admin.refreshToken(SHOP, "")).rejects.toBeInstanceOf(ShopifyUnauthorizedError);
  });

  it("answers the shop query with <handle>@example.com on a development store", async () => {
    const { admin, session } = setup();
    expect(await admin.fetchShopInfo(session)).toEqual({ email: "demo-shop@example.com", name: "Demo-shop (sandbox)", isDevelopmentStore: true });
  });

  it("answers for every valid shop, whatever the token", async () => {
    const { admin } = setup();
    const info = await admin.fetchShopInfo({ id: "offline_x9.myshopify.com", shop: "x9.myshopify.com", accessToken: "sandbox" });
    expect(info.email).toBe("x9@example.com");
  });

  it("creates a pending charge confirmed on the app's own page", async () => {
    const { admin, session } = setup();
    const { confirmationUrl } = await admin.createSubscription(session, { plan, returnUrl: "http://localhost:3000/?shop=demo-shop.myshopify.com", test: true });
    expect(confirmationUrl).toBe("http://localhost:3000/sandbox/confirm?charge=1001");
    expect(admin.getCharge("1001")).toEqual({
      id: "1001", gid: "gid://shopify/AppSubscription/1001", shop: SHOP, name: "MouseStats Heatmaps", price: "9.99", currency: "USD", interval: "EVERY_30_DAYS", trialDays: 0,
      returnUrl: "http://localhost:3000/?shop=demo-shop.myshopify.com", test: true, status: "PENDING", createdAt: new Date(T0), updatedAt: new Date(T0),
    });
    const second = await admin.createSubscription(session, { plan, returnUrl: "http://localhost:3000/", test: true });
    expect(second.confirmationUrl).toMatch(/charge=1002$/);
  });

  it("refuses a return URL that is not absolute http(s)", async () => {
    const { admin, session } = setup();
    await expect(admin.createSubscription(session, { plan, returnUrl: "/relative", test: true })).rejects.toBeInstanceOf(ShopifyUserError);
    await expect(admin.createSubscription(session, { plan, returnUrl: "javascript:alert(1)", test: true })).rejects.toBeInstanceOf(ShopifyUserError);
  });

  it("settles a pending charge once, and can reopen it", async () => {
    const { admin, session } = setup();
    await admin.createSubscription(session, { plan, returnUrl: "http://localhost:3000/", test: true });
    expect(admin.settleCharge("1001", "ACTIVE", new Date(T0))?.status).toBe("ACTIVE");
    expect(admin.settleCharge("1001", "DECLINED", new Date(T0))).toBeUndefined();
    admin.reopenCharge("1001");
    expect(admin.getCharge("1001")?.status).toBe("PENDING");
    expect(admin.settleCharge("nope", "ACTIVE", new Date(T0))).toBeUndefined();
  });

  it("hands out copies of charges", async () => {
    const { admin, session } = setup();
    await admin.createSubscription(session, { plan, returnUrl: "http://localhost:3000/", test: true });
    admin.getCharge("1001")!.status = "ACTIVE";
    expect(admin.getCharge("1001")?.status).toBe("PENDING");
  });

  it("keeps app-data metafields per shop", async () => {
    const { admin, session } = setup();
    const other: OfflineSession = { ...session, shop: "other.myshopify.com" };
    await admin.setAppMetafield(session, { namespace: "mousestats", key: "site_id", type: "single_line_text_field", value: "42" });
    expect(await admin.getAppMetafield(session, "mousestats", "site_id")).toBe("42");
    expect(await admin.getAppMetafield(other, "mousestats", "site_id")).toBeNull();
    await admin.setAppMetafield(session, { namespace: "mousestats", key: "site_id", type: "single_line_text_field", value: "43" });
    expect(await admin.getAppMetafield(session, "mousestats", "site_id")).toBe("43");
    await admin.deleteAppMetafield(session, "mousestats", "site_id");
    expect(await admin.getAppMetafield(session, "mousestats", "site_id")).toBeNull();
    await admin.deleteAppMetafield(other, "mousestats", "site_id");
    await expect(admin.setAppMetafield(session, { namespace: "", key: "k", type: "t", value: "v" })).rejects.toBeInstanceOf(ShopifyUserError);
  });

  it("gives each shop a stable numeric gid", () => {
    const { admin } = setup();
    const gid = admin.shopGid(SHOP);
    expect(gid).toMatch(/^gid:\/\/shopify\/Shop\/\d+$/);
    expect(createSandboxAdmin({ appUrl: "http://x", now: () => 0 }).shopGid(SHOP)).toBe(gid);
    expect(admin.shopGid("other.myshopify.com")).not.toBe(gid);
  });
});
