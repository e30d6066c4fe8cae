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
  const lazy = <K extends keyof ShopifyAdmin>(name: K) =>
    (async (...args: unknown[]) => ((await load())[name] as (...a: unknown[]) => unknown)(...args)) as ShopifyAdmin[K];
  return {
    exchangeToken: lazy("exchangeToken"),
    refreshToken: lazy("refreshToken"),
    fetchShopInfo: lazy("fetchShopInfo"),
    fetchBillingState: lazy("fetchBillingState"),
    fetchCustomerEmail: lazy("fetchCustomerEmail"),
    createSubscription: lazy("createSubscription"),
    setAppMetafield: lazy("setAppMetafield"),
    deleteAppMetafield: lazy("deleteAppMetafield"),
    getAppMetafield: lazy("getAppMetafield"),
  };
}
