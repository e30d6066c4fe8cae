/**
 * A shop's offline (app-level) access: what token exchange and refresh return and what
 * `session-storage.ts` keeps, tokens in plaintext only in memory.
 */
export interface OfflineSession {
  /** Always `offline_<shop>`, as `@shopify/shopify-api` names offline sessions. */
  id: string;
  shop: string;
  /** Granted scopes, comma-separated as Shopify returns them. */
  scope?: string | undefined;
  accessToken: string;
  /** When the access token stops working; absent for a non-expiring token. */
  expiresAt?: Date | undefined;
  /** Rotated on every refresh; store it together with its access token. */
  refreshToken?: string | undefined;
  refreshTokenExpiresAt?: Date | undefined;
}

/** `offline_<shop>`: the id `@shopify/shopify-api`'s `session.getOfflineId` gives. */
export function offlineSessionId(shop: string): string {
  return `offline_${shop}`;
}
