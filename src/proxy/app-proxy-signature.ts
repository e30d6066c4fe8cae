import { createHmac } from "node:crypto";
import type { ShopifyApiAdminOptions } from "../shopify/shopify-api-admin.ts";

/**
 * How Shopify signs an app proxy request: HMAC-SHA256 (hex) with the app secret over the query
 * parameters except `signature`, sorted by key, each `key=value` (several values of one key
 * joined by `,`), concatenated without a separator.
 * @see https://shopify.dev/docs/apps/build/online-store/app-proxies/authenticate-app-proxies
 */
export function signAppProxyQuery(query: URLSearchParams, secret: string): string {
  const values = new Map<string, string[]>();
  for (const [key, value] of query) if (key !== "signature") values.set(key, [...(values.get(key) ?? []), value]);
  // localeCompare, as @shopify/shopify-api's app-proxy signator sorts (lib/utils/hmac-validator).
  const message = [...values].sort(([a], [b]) => a.localeCompare(b)).map(([key, v]) => `${key}=${v.join(",")}`).join("");
  return createHmac("sha256", secret).update(message).digest("hex");
}

export interface AppProxyVerifier {
  /** True when Shopify signed the query and its `timestamp` is recent. */
  verify(query: URLSearchParams): Promise<boolean>;
}

/**
 * Verifies app proxy requests with `@shopify/shopify-api`'s own check (`utils.validateHmac` with
 * the `appProxy` signator: the signature, each single-value parameter given once, and a
 * `timestamp` within 90 s of our clock). The library is loaded on the first proxy request.
 */
export function createAppProxyVerifier(options: Pick<ShopifyApiAdminOptions, "apiKey" | "apiSecret" | "appUrl">): AppProxyVerifier {
  let validator: Promise<(query: URLSearchParams) => Promise<boolean>> | undefined;
  const load = () => (validator ??= (async () => {
    await import("@shopify/shopify-api/adapters/web-api");
    const { ApiVersion, InvalidHmacError, shopifyApi } = await import("@shopify/shopify-api");
    const appUrl = new URL(options.appUrl);
    const api = shopifyApi({
      apiKey: options.apiKey, apiSecretKey: options.apiSecret, hostName: appUrl.host, hostScheme: appUrl.protocol === "http:" ? "http" : "https",
      apiVersion: ApiVersion.October26, isEmbeddedApp: true, logger: { level: 0, log: () => {} },
    });
    return async (query: URLSearchParams) => {
      try {
        return await api.utils.validateHmac(query, { signator: "appProxy" });
      } catch (err) {
        if (err instanceof InvalidHmacError) return false; // missing, repeated or stale parameters
        throw err;
      }
    };
  })());
  return { verify: async (query) => (await load())(query) };
}
