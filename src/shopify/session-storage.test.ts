import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { createTestDatabase, type TestDatabase } from "../db/test-database.ts";
import { TokenDecryptionError } from "./errors.ts";
import type { OfflineSession } from "./offline-session.ts";
import { createSessionStorage } from "./session-storage.ts";
import { createTokenCipher } from "./token-cipher.ts";

const SHOP = "my-shop.myshopify.com";
const ACCESS = "shpat_access_token_plaintext_1234567890";
const REFRESH = "shprt_refresh_token_plaintext_0987654321";

function session(overrides: Partial<OfflineSession> = {}): OfflineSession {
  return {
    id: `offline_${SHOP}`,
    shop: SHOP,
    scope: "read_products",
    accessToken: ACCESS,
    expiresAt: new Date("2026-11-27T09:00:00.000Z"),
    refreshToken: REFRESH,
    refreshTokenExpiresAt: new Date("2027-02-25T08:00:00.000Z"),
    ...overrides,
  };
}

describe("createSessionStorage", () => {
  let database: TestDatabase;
  const cipher = createTokenCipher(randomBytes(32));
  beforeEach(() => {
    database = createTestDatabase();
  });
  afterEach(() => database.close());

  it("stores and loads an offline session", async () => {
    const storage = createSessionStorage({ database, cipher });
    await storage.storeOfflineSession(session());
    expect(await storage.loadOfflineSession(SHOP)).toEqual(session());
  });

  it("returns undefined for a shop without a session", async () => {
    const storage = createSessionStorage({ database, cipher });
    expect(await storage.loadOfflineSession("other.myshopify.com")).toBeUndefined();
  });

  it("keeps only ciphertext in the database row", async () => {
    await createSessionStorage({ database, cipher }).storeOfflineSession(session());
    const rows = database.sqlite.prepare("select * from shopify_sessions").all() as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    const raw = JSON.stringify(rows);
    expect(raw).not.toContain(ACCESS);
    expect(raw).not.toContain(REFRESH);
    expect(raw).not.toContain("shpat_");
    expect(rows[0]?.access_token_enc).toMatch(/^v1:/);
    expect(rows[0]?.refresh_token_enc).toMatch(/^v1:/);
    expect(rows[0]?.id).toBe(`offline_${SHOP}`);
    expect(rows[0]?.is_online).toBe(0);
  });

  it("replaces the whole pair on a second store (rotation)", async () => {
    const storage = createSessionStorage({ database, cipher });
    await storage.storeOfflineSession(session());
    const rotated = session({
      accessToken: "shpat_new",
      refreshToken: "shprt_new",
      expiresAt: new Date("2026-11-27T10:00:00.000Z"),
      refreshTokenExpiresAt: new Date("2027-02-25T09:00:00.000Z"),
    });
    await storage.storeOfflineSession(rotated);
    expect(await storage.loadOfflineSession(SHOP)).toEqual(rotated);
    expect(database.sqlite.prepare("select count(*) as n from shopify_sessions").get()).toEqual({ n: 1 });
  });

  it("stores a non-expiring session without refresh token", async () => {
    const storage = createSessionStorage({ database, cipher });
    await storage.storeOfflineSession(session());
    const plain: OfflineSession = { id: `offline_${SHOP}`, shop: SHOP, accessToken: "shpat_plain" };
    await storage.storeOfflineSession(plain);
    expect(await storage.loadOfflineSession(SHOP)).toEqual({
      ...plain, scope: undefined, expiresAt: undefined, refreshToken: undefined, refreshTokenExpiresAt: undefined,
    });
  });

  it("derives the id from the shop", async () => {
    const storage = createSessionStorage({ database, cipher });
    await storage.storeOfflineSession(session({ id: "something-else" }));
    expect((await storage.loadOfflineSession(SHOP))?.id).toBe(`offline_${SHOP}`);
  });

  it("deletes a shop's sessions and reports how many", async () => {
    const storage = createSessionStorage({ database, cipher });
    await storage.storeOfflineSession(session());
    await storage.storeOfflineSession(session({ shop: "other.myshopify.com" }));
    expect(await storage.deleteShopSessions(SHOP)).toBe(1);
    expect(await storage.deleteShopSessions(SHOP)).toBe(0);
    expect(await storage.loadOfflineSession(SHOP)).toBeUndefined();
    expect(await storage.loadOfflineSession("other.myshopify.com")).toBeDefined();
  });

  it("throws TokenDecryptionError when the key changed, instead of reporting no session", async () => {
    await createSessionStorage({ database, cipher }).storeOfflineSession(session());
    const other = createSessionStorage({ database, cipher: createTokenCipher(randomBytes(32)) });
    await expect(other.loadOfflineSession(SHOP)).rejects.toThrow(TokenDecryptionError);
  });
});
