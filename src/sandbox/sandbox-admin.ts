import { createHash, randomBytes, randomInt } from "node:crypto";
import type { BillingInterval } from "../shopify/billing-plan.ts";
import { ShopifyRequestError, ShopifyUnauthorizedError, ShopifyUserError, type ShopifyAdminOperation } from "../shopify/errors.ts";
import { offlineSessionId, type OfflineSession } from "../shopify/offline-session.ts";
import { EMBED_BLOCK_HANDLE, EXTENSION_NAME } from "../tracking/tracking-embed.ts";
import { parseShopDomain, shopHandle } from "../shopify/shop-domain.ts";
import type { ShopifyAdmin } from "../shopify/shopify-admin.ts";

export const SANDBOX_CHARGE_STATUSES = ["PENDING", "ACTIVE", "DECLINED"] as const;
export type SandboxChargeStatus = (typeof SANDBOX_CHARGE_STATUSES)[number];

/** A recurring charge the sandbox shop created, waiting on its confirmation page. */
export interface SandboxCharge {
  /** Numeric id, as in `gid://shopify/AppSubscription/<id>` and `?charge=<id>`. */
  id: string;
  gid: string;
  shop: string;
  name: string;
  /** Decimal string, as webhook payloads write it (`"9.99"`). */
  price: string;
  currency: string;
  interval: BillingInterval;
  trialDays: number;
  returnUrl: string;
  test: boolean;
  status: SandboxChargeStatus;
  createdAt: Date;
  updatedAt: Date;
}

/** The sandbox shop: a `ShopifyAdmin` plus what its confirmation page needs. */
export interface SandboxAdmin extends ShopifyAdmin {
  getCharge(id: string): SandboxCharge | undefined;
  /** PENDING → `status` at `at`; returns undefined when the charge is unknown or already settled. */
  settleCharge(id: string, status: Exclude<SandboxChargeStatus, "PENDING">, at: Date): SandboxCharge | undefined;
  /** Back to PENDING (the approval's webhook could not be delivered; the merchant may retry). */
  reopenCharge(id: string): void;
  /** `gid://shopify/Shop/<n>`, stable for a domain across restarts. */
  shopGid(shop: string): string;
  /** A customer of the shop, as the stand-in storefront signs them in (their email is what `fetchCustomerEmail` answers). */
  addCustomer(shop: string, customerId: string, email: string): void;
  /** Stands in for the theme editor's app-embed deep link: a page of the sandbox, not Shopify's. */
  themeEditorUrl(shop: string, activateAppId: string): string;
  /** Whether the app embed is switched on in the shop's (pretend) published theme; off at first, as in a real store. */
  isEmbedOn(shop: string): boolean;
  /** What the stand-in theme editor's Save does. */
  setEmbed(shop: string, on: boolean): void;
  /** What App Bridge's `shopify.app.extensions()` resolves to for this shop, in its shape. */
  appExtensions(shop: string): SandboxExtensionInfo[];
}

/**
 * `ExtensionInfo<"theme_app_extension">` of `@shopify/app-bridge-types`, written out so the
 * server does not depend on a browser types package; test/flows/setup-checklist-api.test.ts makes `npm run typecheck` check the two agree.
 */
export interface SandboxExtensionInfo {
  handle: string;
  type: "theme_app_extension";
  activations: Array<{
    handle: string;
    name: string;
    target: "head" | "body" | "compliance_head" | "section";
    status: "active" | "available" | "unavailable";
    activations: Array<{ target: string; themeId: string }>;
  }>;
}

export interface SandboxAdminOptions {
  /** The app's public URL; confirmation pages live under `<appUrl>/sandbox/confirm`. */
  appUrl: string;
  /** Epoch milliseconds. */
  now: () => number;
  /** Random part of minted tokens. @default 16 random bytes, hex */
  randomToken?: () => string;
  /** First charge id; later ones count up. @default a random 9–10 digit number */
  firstChargeId?: number;
}

/** Where `web/app.ts` mounts `createSandboxRoutes`; the confirmation URL points under it. */
export const SANDBOX_MOUNT_PATH = "/sandbox";

const ACCESS_PREFIX = "shpat_sandbox_";
const REFRESH_PREFIX = "shprt_sandbox_";
const ACCESS_TOKEN_LIFETIME_MS = 60 * 60_000;
const REFRESH_TOKEN_LIFETIME_MS = 90 * 24 * 60 * 60_000;

/**
 * The CONTRACT's fake shop for sandbox mode: every `*.myshopify.com` shop exists, is a
 * development store owned by `<handle>@example.com`; token exchange always succeeds (the caller
 * verified the session token); charges and app-data metafields (one app installation per shop)
 * live in memory. Tokens are minted in Shopify's shape but not tracked: any non-empty token is
 * accepted, so sessions stored before a restart keep working and jobs may call it with a
 * placeholder token.
 */
export function createSandboxAdmin(options: SandboxAdminOptions): SandboxAdmin {
  const { now } = options;
  const appUrl = options.appUrl.replace(/\/+$/, "");
  const randomToken = options.randomToken ?? (() => randomBytes(16).toString("hex"));
  let nextChargeId = options.firstChargeId ?? randomInt(100_000_000, 2_000_000_000);
  const charges = new Map<string, SandboxCharge>();
  const metafields = new Map<string, Map<string, { type: string; value: string }>>();
  const embedOn = new Set<string>();
  const customers = new Map<string, string>();

  function requireShop(shop: string, operation: ShopifyAdminOperation): string {
    const valid = parseShopDomain(shop);
    if (valid === null) throw new ShopifyRequestError({ operation, status: 404, code: "shop_not_found" });
    return valid;
  }

  function requireSession(session: OfflineSession, operation: ShopifyAdminOperation): string {
    const shop = requireShop(session.shop, operation);
    if (!session.accessToken) throw new ShopifyUnauthorizedError({ operation, reason: "http_401", status: 401 });
    return shop;
  }

  function mint(shop: string): OfflineSession {
    const at = now();
    return {
      id: offlineSessionId(shop),
      shop,
      scope: "",
      accessToken: `${ACCESS_PREFIX}${randomToken()}`,
      expiresAt: new Date(at + ACCESS_TOKEN_LIFETIME_MS),
      refreshToken: `${REFRESH_PREFIX}${randomToken()}`,
      refreshTokenExpiresAt: new Date(at + REFRESH_TOKEN_LIFETIME_MS),
    };
  }

  const shopGid = (shop: string) => `gid://shopify/Shop/${parseInt(createHash("sha256").update(shop).digest("hex").slice(0, 12), 16)}`;

  return {
    async exchangeToken(shop, sessionToken) {
      const valid = requireShop(shop, "exchangeToken");
      if (!sessionToken) throw new ShopifyUnauthorizedError({ operation: "exchangeToken", reason: "invalid_subject_token", status: 400 });
      return mint(valid);
    },

    async refreshToken(shop, refreshToken) {
      const valid = requireShop(shop, "refreshToken");
      if (!refreshToken) throw new ShopifyUnauthorizedError({ operation: "refreshToken", reason: "invalid_grant", status: 400 });
      return mint(valid);
    },

    async fetchShopInfo(session) {
      const handle = shopHandle(requireSession(session, "fetchShopInfo"));
      return { email: `${handle}@example.com`, name: `${handle.charAt(0).toUpperCase()}${handle.slice(1)} (sandbox)`, isDevelopmentStore: true };
    },

    async fetchBillingState(session) {
      const shop = requireSession(session, "fetchBillingState");
      return [...charges.values()].filter((c) => c.shop === shop).reverse().map((c) => ({
        id: c.gid, source: "subscription" as const, name: c.name, status: c.status, test: c.test, createdAt: c.createdAt, trialDays: c.trialDays,
        currentPeriodEnd: c.status === "ACTIVE" ? new Date(c.updatedAt.getTime() + (c.interval === "ANNUAL" ? 365 : 30) * 86_400_000) : null,
      }));
    },

    async fetchCustomerEmail(session, customerId) {
      const shop = requireSession(session, "fetchCustomerEmail");
      return customers.get(`${shop}|${customerId}`) ?? null;
    },

    async createSubscription(session, { plan, returnUrl, test }) {
      const shop = requireSession(session, "createSubscription");
      if (!/^https?:\/\//.test(returnUrl) || !URL.canParse(returnUrl)) {
        throw new ShopifyUserError({ operation: "createSubscription", messages: ["Return url is invalid"] });
      }
      const id = String(nextChargeId++);
      const at = new Date(now());
      charges.set(id, {
        id, gid: `gid://shopify/AppSubscription/${id}`, shop, name: plan.name, price: plan.amount.toFixed(2),
        currency: plan.currencyCode, interval: plan.interval, trialDays: plan.trialDays, returnUrl, test, status: "PENDING", createdAt: at, updatedAt: at,
      });
      return { confirmationUrl: `${appUrl}${SANDBOX_MOUNT_PATH}/confirm?charge=${id}` };
    },

    async setAppMetafield(session, input) {
      const shop = requireSession(session, "setAppMetafield");
      if (!input.namespace || !input.key || !input.type) {
        throw new ShopifyUserError({ operation: "setAppMetafield", messages: ["Namespace, key and type are required"] });
      }
      const forShop = metafields.get(shop) ?? new Map<string, { type: string; value: string }>();
      forShop.set(`${input.namespace}.${input.key}`, { type: input.type, value: input.value });
      metafields.set(shop, forShop);
    },

    async deleteAppMetafield(session, namespace, key) {
      const shop = requireSession(session, "deleteAppMetafield");
      metafields.get(shop)?.delete(`${namespace}.${key}`);
    },

    async getAppMetafield(session, namespace, key) {
      const shop = requireSession(session, "getAppMetafield");
      return metafields.get(shop)?.get(`${namespace}.${key}`)?.value ?? null;
    },

    getCharge(id) {
      const charge = charges.get(id);
      return charge && { ...charge };
    },

    settleCharge(id, status, at) {
      const charge = charges.get(id);
      if (charge?.status !== "PENDING") return undefined;
      charge.status = status;
      charge.updatedAt = at;
      return { ...charge };
    },

    reopenCharge(id) {
      const charge = charges.get(id);
      if (charge) charge.status = "PENDING";
    },

    shopGid,

    addCustomer(shop, customerId, email) {
      customers.set(`${shop}|${customerId}`, email.trim().toLowerCase());
    },

    themeEditorUrl(shop, activateAppId) {
      const query = new URLSearchParams({ shop, activateAppId });
      return `${appUrl}${SANDBOX_MOUNT_PATH}/theme-editor?${query}`;
    },

    isEmbedOn: (shop) => embedOn.has(shop),

    setEmbed(shop, on) {
      if (on) embedOn.add(shop);
      else embedOn.delete(shop);
    },

    appExtensions(shop) {
      const on = embedOn.has(shop);
      // The published theme's id, stable per shop like a real one.
      const themeId = `gid://shopify/OnlineStoreTheme/${shopGid(shop).split("/").pop()}`;
      return [{
        handle: EXTENSION_NAME,
        type: "theme_app_extension",
        activations: [{
          handle: EMBED_BLOCK_HANDLE, name: "MouseStats heatmaps", target: "head", status: on ? "active" : "available",
          activations: on ? [{ target: "head", themeId }] : [],
        }],
      }];
    },
  };
}
