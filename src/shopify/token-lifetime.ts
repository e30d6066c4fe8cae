import type { OfflineSession } from "./offline-session.ts";

/**
 * Assumed lifetime of an expiring offline access token whose reply carried no `expires_in`
 * (Shopify documents 1 h). Without it the session would be stored with no expiry and never be
 * refreshed again (shopify-app-js#3400); with it, the app refreshes at the usual margin.
 */
export const ASSUMED_ACCESS_TOKEN_LIFETIME_MS = 60 * 60_000;

export interface TokenLifetime {
  /** True when the access token expires within the refresh margin (or already has). */
  needsRefresh(session: OfflineSession): boolean;
  /** True when a refresh token exists and has not expired. */
  canRefresh(session: OfflineSession): boolean;
  /** True when the access token has not expired yet (or never expires). */
  isUsable(session: OfflineSession): boolean;
  /**
   * Fills the gaps of a token reply before it is stored: a missing expiry next to a refresh
   * token becomes `now + 1 h`; a refresh reply without a new refresh token keeps the previous
   * one (RFC 6749 §6 lets the server keep it valid). A session with neither expiry nor refresh
   * token is a non-expiring token and is kept as it is.
   */
  normalize(fresh: OfflineSession, previous?: OfflineSession): OfflineSession;
}

export function createTokenLifetime(options: { now: () => number; refreshMarginMs: number }): TokenLifetime {
  const { now, refreshMarginMs } = options;
  return {
    needsRefresh: (s) => s.expiresAt !== undefined && s.expiresAt.getTime() - refreshMarginMs <= now(),
    canRefresh: (s) =>
      s.refreshToken !== undefined && (s.refreshTokenExpiresAt === undefined || s.refreshTokenExpiresAt.getTime() > now()),
    isUsable: (s) => s.expiresAt === undefined || s.expiresAt.getTime() > now(),
    normalize(fresh, previous) {
      const session = { ...fresh };
      if (session.refreshToken === undefined && previous?.refreshToken !== undefined) {
        session.refreshToken = previous.refreshToken;
        session.refreshTokenExpiresAt = previous.refreshTokenExpiresAt;
      }
      if (session.expiresAt === undefined && session.refreshToken !== undefined) {
        session.expiresAt = new Date(now() + ASSUMED_ACCESS_TOKEN_LIFETIME_MS);
      }
      return session;
    },
  };
}
