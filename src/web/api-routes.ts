import { Hono } from "hono";
import type { AppDatabase } from "../db/app-database.ts";
import type { Logger } from "../logger.ts";
import type { MouseStatsClient } from "../mousestats/client.ts";
import { MouseStatsError } from "../mousestats/errors.ts";
import { retryAccount } from "../provisioning/account-admin.ts";
import { createAccountStore } from "../provisioning/account-store.ts";
import { requestBillingCheck } from "../provisioning/billing-reconciliation.ts";
import { createShopAccountViews } from "../provisioning/shop-account-view.ts";
import type { UsageRefresher } from "../provisioning/usage-refresher.ts";
import type { AppJobQueue } from "../provisioning/job-kinds.ts";
import type { BillingPlan } from "../shopify/billing-plan.ts";
import type { OfflineAccess } from "../shopify/offline-access.ts";
import type { ShopifyAdmin } from "../shopify/shopify-admin.ts";
import type { SessionTokenVerifier } from "../shopify/session-token.ts";
import { createTrackingProgress } from "../tracking/tracking-progress.ts";
import type { TrackingService } from "../tracking/tracking-service.ts";
import type { AppEnv } from "./app-env.ts";
import type { Metrics } from "./metrics.ts";
import type { RateLimiter } from "./rate-limiter.ts";
import { sessionAuth } from "./session-auth.ts";
import { createTrackingRoutes } from "./tracking-routes.ts";

export interface ApiRoutesDeps {
  database: AppDatabase;
  verifier: SessionTokenVerifier;
  offlineAccess: OfflineAccess;
  admin: ShopifyAdmin;
  mousestats: MouseStatsClient;
  usage: UsageRefresher;
  queue: AppJobQueue;
  onEnqueued: () => void;
  metrics: Metrics;
  logger: Logger;
  /** The storefront tracking set-up (`/api/tracking`). */
  tracking: TrackingService;
  loginTokenValidHours: number;
  /** The add-on subscription (`BILLING_*`): its `test` makes test charges (development stores always get them). */
  billing: BillingPlan;
  /** Where Shopify sends the merchant after approving the charge. */
  billingReturnUrl: (shop: string) => string;
  /** Login links per account, shared with the buyers' page (10 a minute). */
  loginLinks: RateLimiter;
  now?: () => number;
}

/** Provisioning normally takes seconds; this long, and billing is checked with Shopify again. */
const PENDING_FOR_LONG_MS = 10 * 60_000;

/** The embedded page's JSON API; every route needs a valid session token, and the first call installs the shop. */
export function createApiRoutes(deps: ApiRoutesDeps): Hono<AppEnv> {
  const { database, offlineAccess, logger } = deps;
  const views = createShopAccountViews(database);
  const store = createAccountStore(database);
  const now = deps.now ?? Date.now;
  const api = new Hono<AppEnv>();

  api.use("*", async function markReceived(c, next) {
    c.set("receivedAt", performance.now());
    await next();
  });
  api.use("*", sessionAuth(deps.verifier, logger));
  api.use("*", async function installOnFirstCall(c, next) {
    await offlineAccess.installFromSessionToken(c.get("shop"), c.get("sessionToken"));
    await next();
  });

  const visitsOf = async (shop: string) => {
    const usage = (await views.read(shop)).usage;
    return usage ? usage.heatmapVisits + usage.playbackVisits : null;
  };
  api.route("/tracking", createTrackingRoutes({
    progress: createTrackingProgress({ store, visitsOf, now }),
    tracking: deps.tracking, logger,
    canTrack: async (shop) => (await views.read(shop)).status === "active",
    withdrawnSiteId: async (shop) => (await store.getShop(shop))?.withdrawnSiteId ?? null,
    forgetWithdrawnSiteId: (shop) => store.upsertShop(shop, { withdrawnSiteId: null }),
  }));

  // The add-on as the page shows it before Subscribe: price, interval, trial (configuration, nothing secret).
  const { name, amount, currencyCode, interval, trialDays, test } = deps.billing;
  const offer = { name, amount, currencyCode, interval, trialDays, test };

  api.get("/account", async (c) => {
    const shop = c.get("shop");
    let view = await views.read(shop);
    // Webhooks are the fast path, Shopify's answer the truth: back from the charge confirmation
    // (Shopify appends `charge_id` to the return URL), without access, or set up for long, ask Shopify.
    const returning = /^\d{1,20}$/.test(c.req.query("charge_id") ?? "");
    const pendingForLong = view.status === "pending" && view.since !== null && now() - view.since.getTime() > PENDING_FOR_LONG_MS;
    if (returning || pendingForLong || view.status === "none" || view.status === "inactive") {
      if (await requestBillingCheck({ database, queue: deps.queue, now }, shop, returning ? "return" : "page")) deps.onEnqueued();
    }
    let stale = false;
    if (view.status === "active" && view.email) {
      stale = !(await deps.usage.ensureFresh(view.email, view.usageCheckedAt));
      view = await views.read(shop);
    }
    return c.json({
      shop: view.shop, email: view.email, status: view.status, plan: view.plan, planDaysLeft: view.planDaysLeft,
      usage: view.usage, error: view.error, stale, usageCheckedAt: view.usageCheckedAt?.toISOString() ?? null, offer,
    });
  });

  // The shop's subscription to the add-on as Shopify reports it now (the checklist's first step,
  // and a declined charge on the way back from the confirmation page): the active one, else the newest.
  api.get("/billing", async (c) => {
    const objects = await deps.admin.fetchBillingState(await offlineAccess.getSession(c.get("shop")));
    const ours = objects.filter((o) => o.name === deps.billing.name);
    const current = ours.find((o) => o.status === "ACTIVE") ?? ours[0];
    const day = 86_400_000;
    return c.json({
      offer,
      subscription: current ? {
        name: current.name, source: current.source, status: current.status, test: current.test,
        createdAt: current.createdAt?.toISOString() ?? null,
        trialEndsAt: current.trialDays && current.createdAt ? new Date(current.createdAt.getTime() + current.trialDays * day).toISOString() : null,
        currentPeriodEnd: current.currentPeriodEnd?.toISOString() ?? null,
      } : null,
    });
  });

  api.post("/login-link", async (c) => {
    const shop = c.get("shop");
    const view = await views.read(shop);
    if (view.status !== "active" || !view.email) {
      deps.metrics.loginLinks.inc({ outcome: "no_account" });
      return c.json({ error: "this shop has no active heatmaps account", code: "needs_active_account", status: view.status }, 409);
    }
    const allowed = await deps.loginLinks.take(view.email);
    if (!allowed.ok) {
      deps.metrics.loginLinks.inc({ outcome: "rate_limited" });
      c.header("Retry-After", String(allowed.retryAfterS));
      return c.json({ error: "too many login links; try again shortly", code: "rate_limited" }, 429);
    }
    const callStarted = performance.now();
    try {
      const token = await deps.mousestats.generateLoginToken(view.email, deps.loginTokenValidHours);
      deps.metrics.loginLinks.inc({ outcome: "ok" });
      // The MouseStats call as this app waited for it, and the whole answer: the difference is
      // ours (browser devtools show both; the login-link benchmark reads them).
      const done = performance.now();
      c.header("Server-Timing", `mousestats;dur=${(done - callStarted).toFixed(2)}, app;dur=${(done - c.get("receivedAt")).toFixed(2)}`);
      return c.json({ url: deps.mousestats.loginUrl(token) });
    } catch (err) {
      // Only MouseStats' own failures are a 502; anything else is ours, for the app's error handler.
      if (!(err instanceof MouseStatsError)) throw err;
      deps.metrics.loginLinks.inc({ outcome: "mousestats_error" });
      logger.warn({ shop, err: err.message }, "login link failed");
      return c.json({ error: "MouseStats could not sign you in right now; try again in a minute.", code: "mousestats_unavailable" }, 502);
    }
  });

  api.post("/billing/subscribe", async (c) => {
    const shop = c.get("shop");
    const session = await offlineAccess.getSession(shop);
    const info = await deps.admin.fetchShopInfo(session);
    const { test, ...plan } = deps.billing;
    // A development store cannot pay: its charges are always test charges.
    const { confirmationUrl } = await deps.admin.createSubscription(session, { plan, returnUrl: deps.billingReturnUrl(shop), test: test || info.isDevelopmentStore });
    // The merchant's return must ask Shopify at once, however recently we did.
    await store.upsertShop(shop, { billingCheckedAt: null });
    return c.json({ confirmationUrl });
  });

  api.post("/provisioning/retry", async (c) => {
    const view = await views.read(c.get("shop"));
    if (view.status !== "failed" || !view.email) return c.json({ error: "nothing to retry", code: "nothing_to_retry", status: view.status }, 409);
    await retryAccount(database, deps.queue, view.email);
    deps.onEnqueued();
    return c.json({ status: "pending" }, 202);
  });

  return api;
}
