import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { routePath } from "hono/route";
import type { Logger } from "../logger.ts";
import { ShopNotInstalledError, ShopifyAdminError, ShopifyThrottledError, ShopifyUnauthorizedError } from "../shopify/errors.ts";
import type { ProxyEnv } from "../proxy/proxy-routes.ts";
import type { AppEnv } from "./app-env.ts";
import type { Metrics } from "./metrics.ts";
import { metricsAccess, type MetricsAccessOptions } from "./metrics-access.ts";

/**
 * Every route but `POST /webhooks` and the probes (`/healthz`, `/readyz`), which the server answers
 * on node:http (webhooks/webhook-route.ts, web/probes.ts).
 */
export interface AppRoutes {
  api: Hono<AppEnv>;
  /** `GET /` and the page's assets. */
  page: Hono;
  /** The buyers' page behind Shopify's app proxy (`/apps/heatmaps` on the store). */
  proxy: Hono<ProxyEnv>;
  /** The sandbox shop's confirmation pages (sandbox mode only). */
  sandbox?: Hono;
  /** The bundled MouseStats simulator (when no partner credentials are set). */
  simulator?: Hono;
}

export interface AppDeps {
  routes: AppRoutes;
  metrics: Metrics;
  /** Who may read `/metrics` (METRICS_TOKEN, sandbox mode). */
  metricsAccess: MetricsAccessOptions;
  logger: Logger;
  simulatorMountPath: string;
}

/** Every route of the app served through hono, in one place. */
export function createApp(deps: AppDeps): Hono {
  const { routes, metrics, logger } = deps;
  const app = new Hono();

  app.use("*", async function measure(c, next) {
    const started = performance.now();
    await next();
    metrics.httpDuration.observe({ route: routePath(c), status: String(c.res.status) }, (performance.now() - started) / 1000);
  });

  app.get("/metrics", async (c) => {
    const access = metricsAccess(deps.metricsAccess, c.req.header("authorization"));
    if (access === "hide") return c.json({ error: "not found" }, 404);
    if (access === "refuse") return c.json({ error: "send Authorization: Bearer <METRICS_TOKEN>" }, 401, { "WWW-Authenticate": 'Bearer realm="metrics"' });
    return c.text(await metrics.registry.metrics(), 200, { "Content-Type": metrics.registry.contentType });
  });
  app.route("/api", routes.api);
  app.route("/proxy", routes.proxy);
  if (routes.sandbox) app.route("/sandbox", routes.sandbox);
  if (routes.simulator) app.route(deps.simulatorMountPath, routes.simulator);
  app.route("/", routes.page);

  app.notFound((c) => c.json({ error: "not found" }, 404));
  app.onError((err, c) => {
    if (err instanceof HTTPException) return err.getResponse();
    if (err instanceof ShopifyUnauthorizedError) {
      // A rejected session token at exchange: App Bridge retries once with a fresh one.
      c.header("X-Shopify-Retry-Invalid-Session-Request", "1");
      return c.json({ error: "Shopify rejected the session; reload the app", code: "session_rejected" }, 401);
    }
    if (err instanceof ShopNotInstalledError) return c.json({ error: "the app is not installed on this shop; open it from the Shopify admin", code: "not_installed" }, 409);
    if (err instanceof ShopifyThrottledError) {
      c.header("Retry-After", String(Math.ceil((err.retryAfterMs ?? 1000) / 1000)));
      return c.json({ error: "Shopify is busy; try again shortly", code: "shopify_busy" }, 503);
    }
    if (err instanceof ShopifyAdminError) {
      logger.warn({ err: err.message, path: c.req.path }, "Shopify Admin API call failed");
      return c.json({ error: "Shopify could not be reached; try again shortly", code: "shopify_unreachable" }, 502);
    }
    logger.error({ err: err.message, stack: err.stack, path: c.req.path }, "unhandled error");
    return c.json({ error: "internal error", code: "internal" }, 500);
  });
  return app;
}
