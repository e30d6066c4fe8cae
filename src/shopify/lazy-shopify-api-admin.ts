import type { ShopifyAdmin } from "./shopify-admin.ts";
import type { ShopifyApiAdminOptions } from "./shopify-api-admin.ts";

/**
 * The real adapter, loaded on its first call. `@shopify/shopify-api` is ~530 modules; loading it
 * at start-up cost about a third of the time to `/readyz`, and most starts make no Admin call
 * for a while (webhooks and usage pages need none).
 */
export function createLazyShopifyApiAdmin(options: ShopifyApiAdminOptions): ShopifyAdmin {
  let adapter: Promise<ShopifyAdmin> | undefined;
  const load = () => (adapter ??= import("./shopify-api-admin.ts").then((m) => m.createShopifyApiAdmin(options)));
  return {
    exchangeToken: async (shop, sessionToken) => (await load()).exchangeToken(shop, sessionToken),
    refreshToken: async (shop, refreshToken) => (await load()).refreshToken(shop, refreshToken),
    fetchShopInfo: async (session) => (await load()).fetchShopInfo(session),
    createSubscription: async (session, subscription) => (await load()).createSubscription(session, subscription),
    setAppMetafield: async (session, input) => (await load()).setAppMetafield(session, input),
    deleteAppMetafield: async (session, namespace, key) => (await load()).deleteAppMetafield(session, namespace, key),
    getAppMetafield: async (session, namespace, key) => (await load()).getAppMetafield(session, namespace, key),
  };
}
