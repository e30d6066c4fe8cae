import type { AddressInfo } from "node:net";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { getRequestListener } from "@hono/node-server";
import type { Hono } from "hono";
import { SIMULATOR_MOUNT_PATH, withListenPort, type AppConfig } from "./config.ts";
import { openBackend } from "./backend/open-backend.ts";
import type { Backend } from "./backend/backend.ts";
import type { AppDatabase } from "./db/app-database.ts";
import { createRetention } from "./db/retention.ts";
import type { Logger } from "./logger.ts";
import { createMouseStatsClient } from "./mousestats/client.ts";
import type { MouseStatsSimulator } from "./mousestats/simulator.ts";
import type { SandboxAdmin } from "./sandbox/sandbox-admin.ts";
import { createProvisioningJobs } from "./provisioning/handlers.ts";
import type { AppJobQueue } from "./provisioning/job-kinds.ts";
import { createSweeps } from "./provisioning/sweeps.ts";
import { createUsageRefresher } from "./provisioning/usage-refresher.ts";
import type { BackoffOptions } from "./queue/backoff.ts";
import type { JobRunner } from "./queue/job-handler.ts";
import { ShopNotInstalledError } from "./shopify/errors.ts";
import { createOfflineAccess } from "./shopify/offline-access.ts";
import { createSessionStorage } from "./shopify/session-storage.ts";
import { createSessionTokenSigner, createSessionTokenVerifier } from "./shopify/session-token.ts";
import type { ShopifyAdmin } from "./shopify/shopify-admin.ts";
import { createLazyShopifyApiAdmin } from "./shopify/lazy-shopify-api-admin.ts";
import { createTokenCipher } from "./shopify/token-cipher.ts";
import { createWebhookSigner } from "./shopify/webhook-hmac.ts";
import { shopHandle } from "./shopify/shop-domain.ts";
import { createTrackingService } from "./tracking/tracking-service.ts";
import { createAppProxyVerifier } from "./proxy/app-proxy-signature.ts";
import { createBuyerAccounts } from "./proxy/buyer-accounts.ts";
import { createProxyRoutes } from "./proxy/proxy-routes.ts";
import { createApiRoutes } from "./web/api-routes.ts";
import { createApp } from "./web/app.ts";
import { loadPageAssets } from "./web/page/page-assets.ts";
import { createConnectionDrain } from "./web/drain-connections.ts";
import { createMetrics } from "./web/metrics.ts";
import { createPageRoutes } from "./web/page/page-routes.ts";
import { createProbeListener, type Readiness } from "./web/probes.ts";
import { createWebhookListener } from "./webhooks/webhook-route.ts";

/**
 * node:http's `createServer`, taken without an ESM import: to build the ESM face of node:http,
 * Node reads every export, and reading its lazy fetch-API exports (`WebSocket`…) loads undici.
 * Now undici, and node:http2 with @hono/node-server (imported in `listen`), load with the first
 * request through hono instead of before `/readyz`. `npm run bench:ab` against loading them at
 * start, 8 alternated starts each: start-up 385 -> 352 ms (medians; each of the 8 faster than
 * each of the other 8), idle RSS 81.3 -> 79.2 MiB.
 */
const { createServer } = process.getBuiltinModule("node:http");

export interface RunningServer {
  /** Base URL on loopback, e.g. `http://127.0.0.1:43123`. */
  url: string;
  config: AppConfig;
  backend: Backend;
  database: AppDatabase;
  queue: AppJobQueue;
  worker: JobRunner;
  /** The bundled MouseStats simulator, when no partner credentials are set. */
  simulator?: MouseStatsSimulator;
  /** The sandbox shop standing in for Shopify, in sandbox mode. */
  sandboxAdmin?: SandboxAdmin;
  /** Graceful stop: stop accepting, finish in-flight requests and jobs, close the database. */
  stop(): Promise<void>;
}

export interface StartServerOptions {
  config: AppConfig;
  logger: Logger;
  now?: () => number;
  /**
   * Worker concurrency: MouseStats calls in flight at once. Kept low on purpose: the partner API's
   * rate limits are not documented. At 100 ms per call, 4 provision about 13 accounts/s. @default 4
   */
  concurrency?: number;
  /** Retry backoff; tests shrink it. @default base 1 s, cap 5 min */
  backoff?: BackoffOptions;
}

/** The composition root: the one place that knows every module. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { logger } = options;
  const now = options.now ?? Date.now;
  // The page's files are minified by esbuild's own process meanwhile.
  const [backend, pageAssets] = await Promise.all([
    openBackend({ url: options.config.databaseUrl, sqliteSynchronous: options.config.sqliteSynchronous, logger, now, backoff: options.backoff }),
    loadPageAssets(),
  ]);
  const { database, queue } = backend;
  const metrics = createMetrics(database, () => queue.stats());
  let app: Hono | undefined;
  let webhookListener: NodeListener | undefined;
  const probes = createProbeListener({
    readiness: async (): Promise<Readiness> => {
      const [databaseReady, queueReady] = await Promise.all([database.isReady().catch(() => false), backend.queueReady().catch(() => false)]);
      // Not ready while the routes are being built (they answer 503 "starting" meanwhile).
      const serving = app !== undefined && webhookListener !== undefined;
      return { ready: serving && databaseReady && queueReady, database: databaseReady, queue: queueReady, backend: backend.kind };
    },
    onResponse: (route, status, seconds) => metrics.httpDuration.observe({ route, status: String(status) }, seconds),
  });

  // Listen first: with PORT=0 the app's own URLs are known only once the port is.
  // The node bindings (`env.incoming`) are passed on: routes read the client's address from them.
  const server = await listen(options.config, {
    webhooks: () => webhookListener,
    probes,
    fetch: (request, env) => (app ? app.fetch(request, env) : new Response("starting", { status: 503 })),
  });
  const connections = createConnectionDrain(server);
  const port = (server.address() as AddressInfo).port;
  const config = withListenPort(options.config, port);
  const selfUrl = `http://127.0.0.1:${port}`;

  // The simulator and the sandbox shop are imported only in the modes that use them.
  const simulator = config.mousestats.simulated
    ? (await import("./mousestats/simulator.ts")).createMouseStatsSimulator({
      partnerId: config.mousestats.partnerId, partnerSecret: config.mousestats.partnerSecret, logger,
      faults: { latencyMs: config.mousestats.simulatorLatencyMs },
    })
    : undefined;
  const mousestats = createMouseStatsClient({
    baseUrl: config.mousestats.apiUrl, loginUrl: config.mousestats.loginUrl, partnerId: config.mousestats.partnerId,
    partnerSecret: config.mousestats.partnerSecret, timeoutMs: config.mousestats.timeoutMs, logger: logger.child({ scope: "mousestats" }),
    onCall: ({ operation, outcome, seconds }) => metrics.mousestatsCalls.observe({ operation, outcome }, seconds),
  });
  const signer = createWebhookSigner(config.shopify.apiSecret);
  const sandbox = config.shopify.sandbox ? await loadSandbox() : undefined;
  const sandboxAdmin = sandbox?.createSandboxAdmin({ appUrl: config.shopify.appUrl, now });
  const admin: ShopifyAdmin = sandboxAdmin ?? createLazyShopifyApiAdmin({
    apiKey: config.shopify.apiKey, apiSecret: config.shopify.apiSecret, appUrl: config.shopify.appUrl, logger,
  });
  const storage = createSessionStorage({ database, cipher: createTokenCipher(config.encryptionKey) });
  const offlineAccess = createOfflineAccess({ admin, storage, database, now, logger });
  const verifier = createSessionTokenVerifier({ apiKey: config.shopify.apiKey, apiSecret: config.shopify.apiSecret, now });

  let worker: JobRunner | undefined;
  const wake = () => worker?.notify();
  // The sandbox shop answers for every shop; a real shop needs its stored offline session.
  const sessionFor = async (shop: string) => (sandboxAdmin ? { id: `offline_${shop}`, shop, accessToken: "sandbox" } : offlineAccess.getSession(shop));
  const tracking = createTrackingService({
    admin, sessions: offlineAccess, apiKey: config.shopify.apiKey, themeEditorUrl: sandboxAdmin?.themeEditorUrl,
  });
  const definitions = createProvisioningJobs({
    database, queue, mousestats, activeFreePlan: config.mousestats.activeFreePlan, onEnqueued: wake, now,
    shopEmails: {
      lookupShop: async (shop) => admin.fetchShopInfo(await sessionFor(shop)),
      isPermanent: (err) => err instanceof ShopNotInstalledError,
    },
    billingPlanName: config.billing.name,
    readBillingState: async (shop, signal) => {
      try {
        return await admin.fetchBillingState(await sessionFor(shop), { signal });
      } catch (err) {
        if (err instanceof ShopNotInstalledError) return null;
        throw err;
      }
    },
    tracking,
    isNotInstalled: (err) => err instanceof ShopNotInstalledError,
  });
  worker = backend.createRunner({
    definitions, logger: logger.child({ scope: "worker" }), concurrency: options.concurrency ?? 4,
    onAttempt: (kind, outcome) => {
      metrics.jobAttempts.inc({ kind, outcome: outcome === "retry" || outcome === "failed" ? "error" : outcome });
      if (outcome === "failed") metrics.jobFailures.inc({ kind });
    },
  });

  const sandboxTokens = config.shopify.sandbox ? createSessionTokenSigner({ apiKey: config.shopify.apiKey, apiSecret: config.shopify.apiSecret }) : undefined;
  // 10 login links a minute per account, whether the merchant or the buyer asks, on every instance.
  const loginLinks = backend.createRateLimiter({ limit: 10, windowMs: 60_000, now });
  // Sandbox mode: the shops offered when the page is opened without one.
  const recentShops = database.statement<{ domain: string }>("select domain from shops order by updated_at desc limit 10");
  app = createApp({
    logger, metrics, simulatorMountPath: SIMULATOR_MOUNT_PATH,
    metricsAccess: { token: config.metricsToken, sandbox: config.shopify.sandbox },
    routes: {
      api: createApiRoutes({
        database, verifier, offlineAccess, admin, mousestats, queue, metrics, logger, onEnqueued: wake, now,
        usage: createUsageRefresher({ database, mousestats, logger, now }),
        tracking,
        loginTokenValidHours: config.loginTokenValidHours, loginLinks,
        billing: config.billing,
        billingReturnUrl: (shop) => sandboxAdmin
          ? `${config.shopify.appUrl}/?shop=${encodeURIComponent(shop)}`
          : `https://admin.shopify.com/store/${shopHandle(shop)}/apps/${config.shopify.apiKey}`,
      }),
      proxy: createProxyRoutes({
        verifier: createAppProxyVerifier({ apiKey: config.shopify.apiKey, apiSecret: config.shopify.apiSecret, appUrl: config.shopify.appUrl }),
        buyers: createBuyerAccounts(database), mousestats, limiter: loginLinks, loginTokenValidHours: config.loginTokenValidHours,
        customerEmail: async (shop, customerId) => admin.fetchCustomerEmail(await sessionFor(shop), customerId),
        productUrl: config.addonProductUrl, logger,
        onLoginLink: (outcome) => metrics.loginLinks.inc({ outcome }),
      }),
      page: createPageRoutes({
        apiKey: config.shopify.apiKey,
        assets: pageAssets,
        support: config.support,
        knownShops: sandboxTokens && (async () => (await recentShops.all()).map((row) => row.domain)),
        sandboxTokens: sandboxTokens && { sign: (shop: string) => sandboxTokens.sign({ shop, now: now() }) },
      }),
      sandbox: sandbox && sandboxAdmin && sandbox.createSandboxRoutes({
        sandboxAdmin, now,
        deliverWebhook: sandbox.createWebhookDeliverer({ baseUrl: selfUrl, signer }),
        storefront: sandbox.createSandboxStorefront({ sandboxAdmin, appBaseUrl: selfUrl, apiSecret: config.shopify.apiSecret, now, mountPath: "/sandbox/storefront" }),
      }),
      simulator: simulator?.app,
    },
  });
  webhookListener = createWebhookListener({
    signer, inbox: backend.inbox, rules: { addonSkus: config.addonSkus, billingPlanName: config.billing.name },
    logger, onAccepted: wake, now,
    onOutcome: (topic, outcome) => metrics.webhooks.inc({ topic, outcome }),
    onResponse: (status, seconds) => metrics.httpDuration.observe({ route: "/webhooks", status: String(status) }, seconds),
  });
  await worker.start();
  const sweeps = createSweeps({ database, queue, now });
  const retention = createRetention(database);
  const housekeeping = async () => {
    const pruned = await retention.prune(now());
    await backend.tidyQueue();
    logger.info({ pruned, billingChecks: await sweeps.queueBillingChecks(), redriven: await sweeps.redriveFailedAccounts() }, "hourly housekeeping");
    wake();
  };
  // First a minute after start (start-up stays fast, and a restart loop does not hammer Shopify), then hourly.
  let housekeepingTimer = setTimeout(function hourly() {
    housekeeping().catch((err: unknown) => logger.error({ err: err instanceof Error ? err.message : String(err) }, "hourly housekeeping failed"));
    housekeepingTimer = setTimeout(hourly, 3_600_000).unref();
  }, 60_000).unref();

  let stopping: Promise<void> | undefined;
  return {
    url: selfUrl, config, backend, database, queue, worker, simulator, sandboxAdmin,
    stop() {
      stopping ??= (async () => {
        clearTimeout(housekeepingTimer);
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // close() also closes idle keep-alive connections; in-flight requests still finish.
        connections.drain();
        // 9 s, not 10: aborting, releasing and closing come after the grace, and the whole stop
        // must end within 10 s (a job waiting on MouseStats measured 10.06 s with 10).
        const result = await worker!.stop(9_000);
        await closed;
        logger.info(result, "stopped");
        await backend.close();
      })();
      return stopping;
    },
  };
}

async function loadSandbox() {
  const [admin, routes, deliver, storefront] = await Promise.all([
    import("./sandbox/sandbox-admin.ts"), import("./sandbox/sandbox-routes.ts"), import("./sandbox/deliver-webhook.ts"), import("./sandbox/sandbox-storefront.ts"),
  ]);
  return { ...admin, ...routes, ...deliver, ...storefront };
}

type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

interface Listeners {
  /** `POST /webhooks`, once the app has built it. */
  webhooks: () => NodeListener | undefined;
  /** `/healthz` and `/readyz`: true when the request was one. */
  probes: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Every other request, through hono's node adapter. */
  fetch: (request: Request, env: unknown) => Response | Promise<Response>;
}

/**
 * `POST /webhooks` (the hot path) and the probes go straight to their node:http listeners;
 * everything else through hono, whose node adapter is imported with the first such request.
 */
function listen(config: AppConfig, listeners: Listeners): Promise<Server> {
  let viaHono: Promise<ReturnType<typeof getRequestListener>> | undefined;
  const loadHono = () => viaHono ??= import("@hono/node-server").then(({ getRequestListener }) =>
    // hostname: only for a request without a Host header.
    getRequestListener(listeners.fetch, { hostname: config.host ?? "localhost" }));
  const server = createServer((req, res) => {
    const webhooks = req.method === "POST" && (req.url === "/webhooks" || req.url?.startsWith("/webhooks?")) ? listeners.webhooks() : undefined;
    if (webhooks) return webhooks(req, res);
    if (listeners.probes(req, res)) return;
    loadHono().then((handle) => handle(req, res), () => {
      viaHono = undefined; // the next request tries again
      res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: "internal error" }));
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve(server));
  });
}
