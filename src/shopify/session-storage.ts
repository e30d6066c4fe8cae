import { eq, sql } from "../db/drizzle.ts";
import type { Db } from "../db/client.ts";
import { shopifySessions } from "../db/schema.ts";
import { offlineSessionId, type OfflineSession } from "./offline-session.ts";
import type { TokenCipher } from "./token-cipher.ts";

/** Offline sessions in `shopify_sessions`, tokens encrypted with `TokenCipher`. */
export interface SessionStorage {
  /** One upsert: the access token and its rotated refresh token land together or not at all. */
  storeOfflineSession(session: OfflineSession): void;
  loadOfflineSession(shop: string): OfflineSession | undefined;
  /** Deletes every session of the shop (uninstall); returns how many rows went. */
  deleteShopSessions(shop: string): number;
}

export interface SessionStorageOptions {
  db: Db;
  cipher: TokenCipher;
}

/**
 * Drizzle-backed storage with synchronous better-sqlite3 calls. A row that no longer decrypts
 * (key changed) throws `TokenDecryptionError` rather than reading as "no session": that is an
 * operator problem, not an uninstalled shop.
 */
export function createSessionStorage({ db, cipher }: SessionStorageOptions): SessionStorage {
  // Read on every authenticated request: prepared once rather than built per call.
  const byId = db.select().from(shopifySessions).where(eq(shopifySessions.id, sql.placeholder("id"))).prepare();
  return {
    storeOfflineSession(session) {
      const row = {
        id: offlineSessionId(session.shop),
        shop: session.shop,
        isOnline: false,
        scope: session.scope ?? null,
        accessTokenEnc: cipher.encrypt(session.accessToken),
        expiresAt: session.expiresAt ?? null,
        refreshTokenEnc: session.refreshToken === undefined ? null : cipher.encrypt(session.refreshToken),
        refreshTokenExpiresAt: session.refreshTokenExpiresAt ?? null,
      };
      const { id: _id, ...update } = row;
      db.insert(shopifySessions)
        .values(row)
        .onConflictDoUpdate({
          target: shopifySessions.id,
          set: { ...update, updatedAt: sql`(unixepoch('subsec') * 1000)` },
        })
        .run();
    },

    loadOfflineSession(shop) {
      const row = byId.get({ id: offlineSessionId(shop) });
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

    deleteShopSessions(shop) {
      return db.delete(shopifySessions).where(eq(shopifySessions.shop, shop)).run().changes;
    },
  };
}
