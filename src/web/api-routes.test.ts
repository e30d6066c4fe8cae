import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../db/test-database.ts";
import { createSilentLogger } from "../logger.ts";
import type { MouseStatsClient } from "../mousestats/client.ts";
import { MouseStatsHttpError } from "../mousestats/errors.ts";
import { createAccountStore } from "../provisioning/account-store.ts";
import { createUsageRefresher } from "../provisioning/usage-refresher.ts";
import { createTestQueue } from "../provisioning/test-queue.ts";
import { createSandboxAdmin } from "../sandbox/sandbox-admin.ts";
import { createOfflineAccess } from "../shopify/offline-access.ts";
import { createSessionStorage } from "../shopify/session-storage.ts";
import { createSessionTokenSigner, createSessionTokenVerifier } from "../shopify/session-token.ts";
import { createTokenCipher } from "../shopify/token-cipher.ts";
import { createTrackingService } from "../tracking/tracking-service.ts";
import { createApiRoutes } from "./api-routes.ts";
import { createApp } from "./app.ts";
import { createMetrics } from "./metrics.ts";
import { createMemoryRateLimiter } from "./rate-limiter.ts";

const KEY = "routes-api-key";
const SECRET = "routes-api-secret";
const SHOP = "routes.myshopify.com";

/**
 * The /api routes with every part real (SQLite, session tokens, token exchange against the
 * sandbox shop, the app's error handler, HTTP on loopback) but MouseStats, which answers as
 * each test scripts it.
 */
describe("POST /api/login-link: what is MouseStats' failure and what is ours", () => {
  let database: TestDatabase;
  let server: ServerType;
  let url: string;
  let loginToken: () => Promise<string>;
  const now = Date.now;

  beforeAll(async () => {
    database = createTestDatabase();
    const admin = createSandboxAdmin({ appUrl: "http://localhost", now });
    const offlineAccess = createOfflineAccess({ admin, storage: createSessionStorage({ database, cipher: createTokenCipher(Buffer.alloc(32, 1)) }), database, now, logger: createSilentLogger() });
    const mousestats: MouseStatsClient = {
      getAccount: () => Promise.reject(new Error("unused")),
      createAccount: () => Promise.reject(new Error("unused")),
      generateLoginToken: () => loginToken(),
      loginUrl: (token) => `https://mousestats.test/doLogin?_token=${token}`,
    };
    const logger = createSilentLogger();
    const queue = createTestQueue(database);
    const metrics = createMetrics(database, () => queue.stats());
    const api = createApiRoutes({
      database, offlineAccess, admin, mousestats, logger, metrics, queue, onEnqueued: () => {},
      verifier: createSessionTokenVerifier({ apiKey: KEY, apiSecret: SECRET }),
      usage: createUsageRefresher({ database, mousestats, logger }),
      tracking: createTrackingService({ admin, sessions: offlineAccess, apiKey: KEY }),
      loginTokenValidHours: 1, billingReturnUrl: () => "http://localhost/",
      loginLinks: createMemoryRateLimiter({ limit: 10, windowMs: 60_000 }),
      billing: { name: "MouseStats Heatmaps", amount: 9.99, currencyCode: "USD", interval: "EVERY_30_DAYS", trialDays: 0, test: true },
    });
    const app = createApp({ logger, metrics, metricsAccess: { token: undefined, sandbox: true }, simulatorMountPath: "/sim", routes: { api, page: new Hono(), proxy: new Hono() } });
    server = await new Promise<ServerType>((resolve) => { const s = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, () => resolve(s)); });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const store = createAccountStore(database);
    await database.transaction((tx) => store.mapShopToAccount({ shop: SHOP, email: "routes@example.com", source: "subscription", sourceRef: "gid://shopify/AppSubscription/1" }, tx));
    await store.confirmAccount("routes@example.com", { email: null, planName: "Free", planDaysLeft: 30, usage: { heatmapProjects: 0, playbackProjects: 0, heatmapVisits: 0, playbackVisits: 0 } }, { createdByApp: true, now: new Date() });
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    database.close();
  });

  const post = () => fetch(`${url}/api/login-link`, {
    method: "POST", headers: { authorization: `Bearer ${createSessionTokenSigner({ apiKey: KEY, apiSecret: SECRET }).sign({ shop: SHOP, now: Date.now() })}` },
  });

  it("hands out the doLogin URL", async () => {
    loginToken = async () => "0123456789ABCDEF0123456789ABCDEF";
    expect(await (await post()).json()).toEqual({ url: "https://mousestats.test/doLogin?_token=0123456789ABCDEF0123456789ABCDEF" });
  });

  it("answers 502 when MouseStats fails", async () => {
    loginToken = () => Promise.reject(new MouseStatsHttpError({ operation: "GenerateLoginToken", status: 503 }));
    const res = await post();
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ error: "MouseStats could not sign you in right now; try again in a minute.", code: "mousestats_unavailable" });
  });

  it("leaves a failure of our own to the app's error handler (500), not blamed on MouseStats", async () => {
    loginToken = () => Promise.reject(new TypeError("a bug of ours"));
    const res = await post();
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: "internal error", code: "internal" });
  });
});
