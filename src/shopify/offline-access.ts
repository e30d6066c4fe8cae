import type { AppDatabase } from "../db/app-database.ts";
import type { Logger } from "../logger.ts";
import { maskEmail } from "../logger.ts";
import { ShopNotInstalledError, ShopifyUnauthorizedError, TokenDecryptionError } from "./errors.ts";
import type { OfflineSession } from "./offline-session.ts";
import type { SessionStorage } from "./session-storage.ts";
import { createShopRecordReader, recordShopInstall } from "./shop-record.ts";
import type { ShopifyAdmin } from "./shopify-admin.ts";
import { createTokenLifetime } from "./token-lifetime.ts";

export interface OfflineAccess {
  /**
   * For requests that carry a verified session token. A stored, fresh session is returned with
   * no Shopify call; a stale one is refreshed; a missing or unrefreshable one is exchanged for a
   * new one, stored, and the shop's row (email, name, install time) upserted from `shop`.
   */
  installFromSessionToken(shop: string, sessionToken: string): Promise<OfflineSession>;
  /**
   * For jobs (no session token): the stored session, refreshed when within `refreshMarginMs`
   * of expiry. Throws `ShopNotInstalledError` when there is none, `ShopifyUnauthorizedError`
   * when Shopify refuses the refresh (the stored session is then deleted).
   */
  getSession(shop: string): Promise<OfflineSession>;
}

export interface OfflineAccessOptions {
  admin: ShopifyAdmin;
  storage: SessionStorage;
  database: AppDatabase;
  /** Epoch milliseconds. */
  now: () => number;
  logger: Logger;
  /** Refresh this long before expiry, as Shopify's React Router package does. @default 300_000 */
  refreshMarginMs?: number;
}

/**
 * Offline tokens for each shop: token exchange at the first authenticated visit, refresh of
 * expiring tokens (rotated pairs stored in one upsert), and one in-flight exchange or refresh
 * per shop however many requests arrive at once.
 * @see https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/offline-access-tokens
 */
export function createOfflineAccess(options: OfflineAccessOptions): OfflineAccess {
  const { admin, storage, database, now } = options;
  const log = options.logger.child({ scope: "shopify-auth" });
  const lifetime = createTokenLifetime({ now, refreshMarginMs: options.refreshMarginMs ?? 5 * 60_000 });
  const readShopRecord = createShopRecordReader(database);
  const installs = new Map<string, Promise<OfflineSession>>();
  const refreshes = new Map<string, Promise<OfflineSession>>();

  const shared = (map: Map<string, Promise<OfflineSession>>, shop: string, run: () => Promise<OfflineSession>) => {
    const inFlight = map.get(shop);
    if (inFlight) return inFlight;
    const promise = run().finally(() => map.delete(shop));
    map.set(shop, promise);
    return promise;
  };

  function refresh(stored: OfflineSession): Promise<OfflineSession> {
    return shared(refreshes, stored.shop, async () => {
      let fresh: OfflineSession;
      try {
        fresh = await admin.refreshToken(stored.shop, stored.refreshToken ?? "");
      } catch (err) {
        if (err instanceof ShopifyUnauthorizedError) await forgetIfUnchanged(stored, err.reason);
        throw err;
      }
      const session = lifetime.normalize(fresh, stored);
      await storage.storeOfflineSession(session);
      log.debug({ shop: stored.shop }, "offline token refreshed");
      return session;
    });
  }

  /** Deletes the stored session unless a concurrent exchange has already replaced it. */
  async function forgetIfUnchanged(stored: OfflineSession, reason: string): Promise<void> {
    if ((await storage.loadOfflineSession(stored.shop))?.accessToken !== stored.accessToken) return;
    await storage.deleteShopSessions(stored.shop);
    log.warn({ shop: stored.shop, reason }, "Shopify refused the refresh token; stored session deleted");
  }

  /** A usable session from a stored one, or undefined when only a new exchange can help. */
  async function revive(stored: OfflineSession): Promise<OfflineSession | undefined> {
    if (!lifetime.needsRefresh(stored)) return stored;
    if (!lifetime.canRefresh(stored)) return undefined;
    try {
      return await refresh(stored);
    } catch (err) {
      if (err instanceof ShopifyUnauthorizedError) return undefined;
      if (lifetime.isUsable(stored)) {
        log.warn({ shop: stored.shop, err }, "refresh failed; using the access token until it expires");
        return stored;
      }
      throw err;
    }
  }

  async function loadForInstall(shop: string): Promise<OfflineSession | undefined> {
    try {
      return await storage.loadOfflineSession(shop);
    } catch (err) {
      // A changed encryption key: a new exchange replaces the row we cannot read.
      if (!(err instanceof TokenDecryptionError)) throw err;
      log.warn({ shop, err }, "stored session does not decrypt; exchanging a new token");
      return undefined;
    }
  }

  async function install(shop: string, sessionToken: string): Promise<OfflineSession> {
    const record = await readShopRecord(shop);
    const stored = await loadForInstall(shop);
    // After an uninstall the old token is revoked even if its row survived.
    let session = stored && record?.uninstalledAt == null ? await revive(stored) : undefined;
    const exchanged = session === undefined;
    if (session === undefined) {
      session = lifetime.normalize(await admin.exchangeToken(shop, sessionToken));
      await storage.storeOfflineSession(session);
    }
    if (exchanged || record?.installedAt == null || record.email === null) {
      const info = await admin.fetchShopInfo(session);
      await recordShopInstall(database.db, shop, info, new Date(now()));
      const firstOrReinstall = record?.installedAt == null || record.uninstalledAt != null;
      log.info({ shop, email: info.email ? maskEmail(info.email) : null, firstOrReinstall }, "shop installed");
    }
    return session;
  }

  return {
    installFromSessionToken: (shop, sessionToken) => shared(installs, shop, () => install(shop, sessionToken)),

    async getSession(shop) {
      // A job may run while the shop's first visit is still exchanging its token.
      const install = installs.get(shop);
      if (install) await install.catch(() => undefined);
      const stored = await storage.loadOfflineSession(shop);
      if (stored === undefined) throw new ShopNotInstalledError(shop);
      if (!lifetime.needsRefresh(stored)) return stored;
      if (!lifetime.canRefresh(stored)) {
        if (lifetime.isUsable(stored)) return stored;
        await forgetIfUnchanged(stored, "refresh_token_expired");
        throw new ShopifyUnauthorizedError({ operation: "refreshToken", reason: "refresh_token_expired" });
      }
      try {
        return await refresh(stored);
      } catch (err) {
        if (err instanceof ShopifyUnauthorizedError || !lifetime.isUsable(stored)) throw err;
        log.warn({ shop, err }, "refresh failed; using the access token until it expires");
        return stored;
      }
    },
  };
}
