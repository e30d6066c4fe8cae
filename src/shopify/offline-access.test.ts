import { randomBytes } from "node:crypto";
import { eq } from "../db/drizzle.ts";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../db/client.ts";
import { shops } from "../db/schema.ts";
import { createTestDatabase } from "../db/test-database.ts";
import { createSilentLogger } from "../logger.ts";
import { ShopNotInstalledError, ShopifyRequestError, ShopifyUnauthorizedError } from "./errors.ts";
import { createOfflineAccess, type OfflineAccess } from "./offline-access.ts";
import type { OfflineSession } from "./offline-session.ts";
import { createSessionStorage, type SessionStorage } from "./session-storage.ts";
import type { ShopInfo, ShopifyAdmin } from "./shopify-admin.ts";
import { createTokenCipher } from "./token-cipher.ts";

const SHOP = "my-shop.myshopify.com";
const T0 = Date.UTC(2026, 10, 27, 8, 0, 0);
const HOUR = 3_600_000;

type Step<T> = T | Error | (() => Promise<T>);

/** A ShopifyAdmin whose answers are queued per method; every call is recorded. */
function createFakeAdmin(clock: () => number) {
  const calls: string[] = [];
  const queues = { exchange: [] as Step<OfflineSession>[], refresh: [] as Step<OfflineSession>[], info: [] as Step<ShopInfo>[] };
  let counter = 0;
  const fresh = (shop: string, overrides: Partial<OfflineSession> = {}): OfflineSession => {
    counter += 1;
    return {
      id: `offline_${shop}`, shop, scope: "read_products", accessToken: `shpat_${counter}`, expiresAt: new Date(clock() + HOUR),
      refreshToken: `shprt_${counter}`, refreshTokenExpiresAt: new Date(clock() + 90 * 24 * HOUR), ...overrides,
    };
  };
  async function next<T>(queue: Step<T>[], fallback: () => T): Promise<T> {
    const step = queue.shift();
    if (step === undefined) return fallback();
    if (step instanceof Error) throw step;
    if (typeof step === "function") return (step as () => Promise<T>)();
    return step;
  }
  const admin: ShopifyAdmin = {
    async exchangeToken(shop, sessionToken) {
      calls.push(`exchange:${sessionToken}`);
      return next(queues.exchange, () => fresh(shop));
    },
    async refreshToken(shop, refreshToken) {
      calls.push(`refresh:${refreshToken}`);
      return next(queues.refresh, () => fresh(shop));
    },
    async fetchShopInfo(session) {
      calls.push(`info:${session.accessToken}`);
      return next(queues.info, () => ({ email: "Owner@Example.COM ", name: "My Shop", isDevelopmentStore: false }));
    },
    fetchBillingState: () => Promise.reject(new Error("not used")),
    fetchCustomerEmail: () => Promise.reject(new Error("not used")),
    createSubscription: () => Promise.reject(new Error("not used")),
    setAppMetafield: () => Promise.reject(new Error("not used")),
    deleteAppMetafield: () => Promise.reject(new Error("not used")),
    getAppMetafield: () => Promise.reject(new Error("not used")),
  };
  return { admin, calls, queues, fresh };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

const unauthorized = () => new ShopifyUnauthorizedError({ operation: "refreshToken", reason: "invalid_grant", status: 400 });

let database: Database;
let storage: SessionStorage;
let now: number;
let fake: ReturnType<typeof createFakeAdmin>;
let access: OfflineAccess;

beforeEach(() => {
  database = createTestDatabase();
  storage = createSessionStorage({ db: database.db, cipher: createTokenCipher(randomBytes(32)) });
  now = T0;
  fake = createFakeAdmin(() => now);
  access = createOfflineAccess({ admin: fake.admin, storage, db: database.db, now: () => now, logger: createSilentLogger() });
});
afterEach(() => database.close());

const shopRow = () => database.db.select().from(shops).where(eq(shops.domain, SHOP)).get();

function storeSession(overrides: Partial<OfflineSession> = {}): OfflineSession {
  const session = fake.fresh(SHOP, overrides);
  storage.storeOfflineSession(session);
  return session;
}

function insertShop(values: Partial<typeof shops.$inferInsert> = {}): void {
  database.db.insert(shops).values({ domain: SHOP, email: "owner@example.com", name: "My Shop", installedAt: new Date(T0 - 10 * HOUR), ...values }).run();
}

describe("installFromSessionToken", () => {
  it("exchanges, stores the session and records the shop on the first visit", async () => {
    const session = await access.installFromSessionToken(SHOP, "id-token-1");
    expect(fake.calls).toEqual(["exchange:id-token-1", "info:shpat_1"]);
    expect(session).toMatchObject({ shop: SHOP, accessToken: "shpat_1", refreshToken: "shprt_1" });
    expect(storage.loadOfflineSession(SHOP)).toEqual(session);
    expect(shopRow()).toMatchObject({ email: "owner@example.com", name: "My Shop", installedAt: new Date(T0), uninstalledAt: null });
  });

  it("makes no Shopify call when a fresh session is stored", async () => {
    await access.installFromSessionToken(SHOP, "id-token-1");
    fake.calls.length = 0;
    now += 30 * 60_000;
    const session = await access.installFromSessionToken(SHOP, "id-token-2");
    expect(fake.calls).toEqual([]);
    expect(session.accessToken).toBe("shpat_1");
  });

  it("shares one exchange among concurrent first visits", async () => {
    const gate = deferred<OfflineSession>();
    fake.queues.exchange.push(() => gate.promise);
    const visits = Array.from({ length: 5 }, (_, i) => access.installFromSessionToken(SHOP, `id-token-${i}`));
    gate.resolve(fake.fresh(SHOP));
    const sessions = await Promise.all(visits);
    expect(fake.calls).toEqual(["exchange:id-token-0", "info:shpat_1"]);
    expect(new Set(sessions.map((s) => s.accessToken))).toEqual(new Set(["shpat_1"]));
  });

  it("exchanges again for a later visit after a failed exchange", async () => {
    fake.queues.exchange.push(new ShopifyUnauthorizedError({ operation: "exchangeToken", reason: "invalid_subject_token", status: 400 }));
    await expect(access.installFromSessionToken(SHOP, "stale")).rejects.toBeInstanceOf(ShopifyUnauthorizedError);
    expect(storage.loadOfflineSession(SHOP)).toBeUndefined();
    expect(shopRow()).toBeUndefined();
    await access.installFromSessionToken(SHOP, "fresh");
    expect(fake.calls).toEqual(["exchange:stale", "exchange:fresh", "info:shpat_1"]);
  });

  it("refreshes a stored session near expiry instead of exchanging", async () => {
    insertShop();
    storeSession({ expiresAt: new Date(T0 + 4 * 60_000) });
    const session = await access.installFromSessionToken(SHOP, "id-token");
    expect(fake.calls).toEqual(["refresh:shprt_1"]);
    expect(session.accessToken).toBe("shpat_2");
    expect(storage.loadOfflineSession(SHOP)).toMatchObject({ accessToken: "shpat_2", refreshToken: "shprt_2" });
  });

  it("exchanges when Shopify refuses the stored refresh token", async () => {
    insertShop();
    storeSession({ expiresAt: new Date(T0 - 60_000) });
    fake.queues.refresh.push(unauthorized());
    const session = await access.installFromSessionToken(SHOP, "id-token");
    expect(fake.calls).toEqual(["refresh:shprt_1", "exchange:id-token", "info:shpat_2"]);
    expect(storage.loadOfflineSession(SHOP)).toEqual(session);
  });

  it.each([
    ["has no refresh token", { refreshToken: undefined, refreshTokenExpiresAt: undefined }],
    ["has an expired refresh token", { refreshTokenExpiresAt: new Date(T0 - 1) }],
  ])("exchanges when the stale stored session %s", async (_label, overrides) => {
    insertShop();
    storeSession({ expiresAt: new Date(T0 - 60_000), ...overrides });
    await access.installFromSessionToken(SHOP, "id-token");
    expect(fake.calls).toEqual(["exchange:id-token", "info:shpat_2"]);
  });

  it("exchanges and reinstalls when the shop was uninstalled, even with a session left over", async () => {
    insertShop({ uninstalledAt: new Date(T0 - HOUR) });
    storeSession();
    now += 1000;
    await access.installFromSessionToken(SHOP, "id-token");
    expect(fake.calls).toEqual(["exchange:id-token", "info:shpat_2"]);
    expect(shopRow()).toMatchObject({ installedAt: new Date(T0 + 1000), uninstalledAt: null });
  });

  it("keeps the install time when only the session was lost", async () => {
    insertShop();
    await access.installFromSessionToken(SHOP, "id-token");
    expect(fake.calls).toEqual(["exchange:id-token", "info:shpat_1"]);
    expect(shopRow()?.installedAt).toEqual(new Date(T0 - 10 * HOUR));
  });

  it("fetches the shop again on the next visit when it failed after the exchange", async () => {
    fake.queues.info.push(new ShopifyRequestError({ operation: "fetchShopInfo", status: 503 }));
    await expect(access.installFromSessionToken(SHOP, "id-token-1")).rejects.toBeInstanceOf(ShopifyRequestError);
    expect(storage.loadOfflineSession(SHOP)?.accessToken).toBe("shpat_1");
    await access.installFromSessionToken(SHOP, "id-token-2");
    expect(fake.calls).toEqual(["exchange:id-token-1", "info:shpat_1", "info:shpat_1"]);
    expect(shopRow()?.email).toBe("owner@example.com");
  });

  it("keeps the stored email and name when Shopify returns none", async () => {
    insertShop({ email: null });
    fake.queues.info.push({ email: null, name: null, isDevelopmentStore: false });
    await access.installFromSessionToken(SHOP, "id-token");
    expect(shopRow()).toMatchObject({ email: null, name: "My Shop" });
  });

  it("exchanges over a stored session that no longer decrypts", async () => {
    insertShop();
    const other = createSessionStorage({ db: database.db, cipher: createTokenCipher(randomBytes(32)) });
    other.storeOfflineSession(fake.fresh(SHOP));
    await access.installFromSessionToken(SHOP, "id-token");
    expect(fake.calls).toEqual(["exchange:id-token", "info:shpat_2"]);
    expect(storage.loadOfflineSession(SHOP)?.accessToken).toBe("shpat_2");
  });

  it("stores an expiry of now + 1 h when an expiring token came without one", async () => {
    fake.queues.exchange.push(fake.fresh(SHOP, { expiresAt: undefined }));
    await access.installFromSessionToken(SHOP, "id-token");
    expect(storage.loadOfflineSession(SHOP)?.expiresAt).toEqual(new Date(T0 + HOUR));
  });
});

describe("getSession", () => {
  it("throws ShopNotInstalledError when nothing is stored", async () => {
    const err = await access.getSession(SHOP).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShopNotInstalledError);
    expect(err).toMatchObject({ shop: SHOP });
  });

  it("returns a fresh session without calling Shopify", async () => {
    const stored = storeSession();
    now += HOUR - 5 * 60_000 - 1;
    expect(await access.getSession(SHOP)).toEqual(stored);
    expect(fake.calls).toEqual([]);
  });

  it("refreshes within the margin and stores the rotated pair", async () => {
    storeSession();
    now += HOUR - 5 * 60_000;
    const session = await access.getSession(SHOP);
    expect(fake.calls).toEqual(["refresh:shprt_1"]);
    expect(session).toMatchObject({ accessToken: "shpat_2", refreshToken: "shprt_2", expiresAt: new Date(now + HOUR) });
    expect(storage.loadOfflineSession(SHOP)).toEqual(session);
  });

  it("honours a custom refresh margin", async () => {
    access = createOfflineAccess({ admin: fake.admin, storage, db: database.db, now: () => now, logger: createSilentLogger(), refreshMarginMs: 60_000 });
    storeSession();
    now += HOUR - 2 * 60_000;
    await access.getSession(SHOP);
    expect(fake.calls).toEqual([]);
  });

  it("shares one refresh among concurrent callers", async () => {
    storeSession({ expiresAt: new Date(T0 + 60_000) });
    const gate = deferred<OfflineSession>();
    fake.queues.refresh.push(() => gate.promise);
    const callers = Array.from({ length: 4 }, () => access.getSession(SHOP));
    gate.resolve(fake.fresh(SHOP));
    const sessions = await Promise.all(callers);
    expect(fake.calls).toEqual(["refresh:shprt_1"]);
    expect(sessions.every((s) => s.accessToken === "shpat_2")).toBe(true);
  });

  it("throws ShopifyUnauthorizedError and deletes the session when Shopify refuses the refresh", async () => {
    storeSession({ expiresAt: new Date(T0 - 1) });
    fake.queues.refresh.push(unauthorized());
    await expect(access.getSession(SHOP)).rejects.toBeInstanceOf(ShopifyUnauthorizedError);
    expect(storage.loadOfflineSession(SHOP)).toBeUndefined();
    await expect(access.getSession(SHOP)).rejects.toBeInstanceOf(ShopNotInstalledError);
  });

  it("keeps a session that a concurrent exchange stored while the refresh was being refused", async () => {
    insertShop();
    storeSession({ expiresAt: new Date(T0 - 1) });
    const gate = deferred<OfflineSession>();
    fake.queues.refresh.push(() => gate.promise);
    const job = access.getSession(SHOP);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fake.calls).toEqual(["refresh:shprt_1"]);
    storage.storeOfflineSession(fake.fresh(SHOP, { accessToken: "shpat_from_exchange" }));
    gate.reject(unauthorized());
    await expect(job).rejects.toBeInstanceOf(ShopifyUnauthorizedError);
    expect(storage.loadOfflineSession(SHOP)?.accessToken).toBe("shpat_from_exchange");
  });

  it("uses the still-valid access token when the refresh fails for a transient reason", async () => {
    const stored = storeSession({ expiresAt: new Date(T0 + 60_000) });
    fake.queues.refresh.push(new ShopifyRequestError({ operation: "refreshToken", status: 503 }));
    expect(await access.getSession(SHOP)).toEqual(stored);
    expect(storage.loadOfflineSession(SHOP)).toEqual(stored);
  });

  it("throws the transient error when the access token has expired", async () => {
    storeSession({ expiresAt: new Date(T0 - 1) });
    fake.queues.refresh.push(new ShopifyRequestError({ operation: "refreshToken", status: 503 }));
    await expect(access.getSession(SHOP)).rejects.toBeInstanceOf(ShopifyRequestError);
    expect(storage.loadOfflineSession(SHOP)).toBeDefined();
  });

  it("schedules the next refresh in 1 h when the reply has no expiry (shopify-app-js#3400)", async () => {
    storeSession({ expiresAt: new Date(T0 - 1) });
    fake.queues.refresh.push(fake.fresh(SHOP, { expiresAt: undefined }));
    const session = await access.getSession(SHOP);
    expect(session.expiresAt).toEqual(new Date(T0 + HOUR));
    now += HOUR - 5 * 60_000;
    await access.getSession(SHOP);
    expect(fake.calls).toEqual(["refresh:shprt_1", "refresh:shprt_2"]);
  });

  it("keeps the previous refresh token when the reply brings none", async () => {
    storeSession({ expiresAt: new Date(T0 - 1) });
    fake.queues.refresh.push(fake.fresh(SHOP, { refreshToken: undefined, refreshTokenExpiresAt: undefined }));
    const session = await access.getSession(SHOP);
    expect(session).toMatchObject({ accessToken: "shpat_2", refreshToken: "shprt_1" });
    expect(storage.loadOfflineSession(SHOP)).toMatchObject({ accessToken: "shpat_2", refreshToken: "shprt_1" });
  });

  it("returns a non-expiring session as it is", async () => {
    const stored = storeSession({ expiresAt: undefined, refreshToken: undefined, refreshTokenExpiresAt: undefined });
    now += 1000 * HOUR;
    expect(await access.getSession(SHOP)).toEqual(stored);
    expect(fake.calls).toEqual([]);
  });

  it("throws ShopifyUnauthorizedError when both tokens have expired", async () => {
    storeSession({ expiresAt: new Date(T0 - 1), refreshTokenExpiresAt: new Date(T0 - 1) });
    const err = await access.getSession(SHOP).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShopifyUnauthorizedError);
    expect(err).toMatchObject({ reason: "refresh_token_expired" });
    expect(fake.calls).toEqual([]);
    expect(storage.loadOfflineSession(SHOP)).toBeUndefined();
  });

  it("waits for the shop's in-flight first visit", async () => {
    const gate = deferred<OfflineSession>();
    fake.queues.exchange.push(() => gate.promise);
    const visit = access.installFromSessionToken(SHOP, "id-token");
    const job = access.getSession(SHOP);
    gate.resolve(fake.fresh(SHOP));
    await visit;
    expect((await job).accessToken).toBe("shpat_1");
  });
});
