import { signAppProxyQuery } from "../../src/proxy/app-proxy-signature.ts";

export interface ProxyRequestInput {
  shop: string;
  /** Empty or absent: nobody signed in. */
  customer?: string;
  /** Epoch seconds. @default now */
  timestamp?: number;
  secret?: string;
  /** The store's own query (e.g. `email`). */
  extra?: Record<string, string>;
  /** Replaces the computed signature (forgeries). `null` leaves it out. */
  signature?: string | null;
}

/** A request exactly as Shopify's app proxy forwards it to `/proxy…`: the store's query plus Shopify's signed parameters. */
export function proxyUrl(baseUrl: string, path: string, input: ProxyRequestInput): string {
  const query = new URLSearchParams(input.extra);
  query.set("shop", input.shop);
  query.set("logged_in_customer_id", input.customer ?? "");
  query.set("path_prefix", "/apps/heatmaps");
  query.set("timestamp", String(input.timestamp ?? Math.floor(Date.now() / 1000)));
  const signature = input.signature === undefined ? signAppProxyQuery(query, input.secret ?? "sandbox-api-secret") : input.signature;
  if (signature !== null) query.set("signature", signature);
  return `${baseUrl}/proxy${path}?${query}`;
}
