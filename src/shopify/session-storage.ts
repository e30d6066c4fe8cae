import { eq, sql } from "../db/drizzle.ts";
import type { AppDatabase } from "../db/app-database.ts";
import { preparedQuery } from "../db/prepared-query.ts";
import { shopifySessions } from "../db/schema.ts";
import { offlineSessionId, type OfflineSession } from "./offline-session.ts";
import type { TokenCipher } from "./token-cipher.ts";

/** Offline sessions in `shopify_sessions`, tokens encrypted with `TokenCipher`. */
export interface SessionStorage {
  /** One upsert: the access token and its rotated refresh token land together or not at all. */
  storeOfflineSession(session: OfflineSession): Promise<void>;
  loadOfflineSession(shop: string): Promise<OfflineSession | undefined>;
  /** Deletes every session of the shop (uninstall); resolves with how many rows went. */
  deleteShopSessions(shop: string): Promise<number>;
}

export interface SessionStorageOptions {
  database: AppDatabase;
  cipher: TokenCipher;
}

/**
 * Drizzle-backed storage on either backend. A row that no longer decrypts
 * (key changed) throws `TokenDecryptionError` rather than reading as "no session": that is an
 * operator problem, not an uninstalled shop.
 */
export function createSessionStorage({ database, cipher }: SessionStorageOptions): SessionStorage {
  const { db } = database;
  // Read on every authenticated request: prepared once rather than built per call.
  const byId = preparedQuery(database, "session_by_id", (d) => d.select().from(shopifySessions).where(eq(shopifySessions.id, sql.placeholder("id"))));
  return {
    async storeOfflineSession(session) {
      const row = {
        id: offlineSessionId(session.shop),
        shop: session.shop,
        isOnline: false,
        scope: session.scope ?? null,
        accessTokenEnc: cipher.encrypt(session.accessToken),
        expiresAt: session.expiresAt ?? null,
        refreshTokenEnc: session.refreshToken === undefined ? null : cipher.encrypt(session.refreshToken),
        refreshTokenExpiresAt: session.refreshTokenExpiresAt ?? null,
        // The app's clock, not the database's: the uninstall compares it with when a webhook arrived.
        updatedAt: new Date(),
      };
      const { id: _id, ...update } = row;
      await db.insert(shopifySessions).values(row).onConflictDoUpdate({ target: shopifySessions.id, set: update });
    },

    async loadOfflineSession(shop) {
      const [row] = await byId({ id: offlineSessionId(shop) });
      if (row === undefined) return undefined;
      return {
        id: row.id,
        shop: row.shop,
        scope: row.scope ?? undefined,
        accessToken: cipher.decrypt(row.accessTokenEnc),
        expiresAt: row.expiresAt ?? undefined,
        refreshToken: row.refreshTokenEnc === null ? undefined : cipher.decrypt(row.refreshTokenEnc),
        refreshTokenExpiresAt: row.refreshTokenExpiresAt ?? undefined,
      };
    },

    async deleteShopSessions(shop) {
      return (await db.delete(shopifySessions).where(eq(shopifySessions.shop, shop)).returning({ id: shopifySessions.id })).length;
    },
  };
}
