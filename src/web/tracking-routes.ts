import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Logger } from "../logger.ts";
import { ShopifyUserError } from "../shopify/errors.ts";
import { parseSiteId } from "../tracking/site-id.ts";
import { EMBED_STATUSES, type EmbedStatus, type TrackingProgressTracker } from "../tracking/tracking-progress.ts";
import type { TrackingService, TrackingSettings } from "../tracking/tracking-service.ts";
import type { AppEnv } from "./app-env.ts";

export interface TrackingRoutesDeps {
  tracking: TrackingService;
  logger: Logger;
  /** Only a shop with an active account may switch the storefront's recording on. */
  canTrack: (shop: string) => Promise<boolean>;
  /** The site ID taken off the storefront when access ended, which the page offers back. */
  withdrawnSiteId: (shop: string) => Promise<string | null>;
  forgetWithdrawnSiteId: (shop: string) => Promise<void>;
  /** The checklist's embed and first-visits steps. */
  progress: TrackingProgressTracker;
}

/**
 * `GET /api/tracking` → `{ siteId, embedUrl, withdrawnSiteId, progress }`; `PUT /api/tracking` `{ siteId }`
 * saves the MouseStats site ID for the storefront loader: 200 with the same shape, 400 with
 * `{ error }` for an invalid ID, 409 while the shop has no active account; `DELETE
 * /api/tracking` removes it (200, `siteId: null`). `PUT /api/tracking/embed` `{ status }` tells
 * what App Bridge said of the app embed (`active`, `available`, `unavailable`) and answers
 * `{ progress }`. Mounted after the API's session-token
 * middleware, so `shop` is verified.
 */
export function createTrackingRoutes(deps: TrackingRoutesDeps): Hono<AppEnv> {
  const { tracking, logger } = deps;
  const routes = new Hono<AppEnv>();

  /** Saves or removes the site ID in Shopify; its userErrors become a 502 that says what Shopify refused. */
  async function change(c: Context<AppEnv>, run: () => Promise<TrackingSettings>, words: { done: string; refused: string }) {
    const shop = c.get("shop");
    try {
      const settings = await run();
      logger.info({ shop, scope: "tracking" }, `MouseStats site ID ${words.done}`);
      await deps.forgetWithdrawnSiteId(shop);
      return c.json({ ...settings, withdrawnSiteId: null, progress: await deps.progress.read(shop) });
    } catch (err) {
      // Shopify's userErrors are about the value we sent: say so instead of "unreachable".
      if (!(err instanceof ShopifyUserError)) throw err;
      logger.warn({ shop, scope: "tracking", err: err.message }, "Shopify refused the site ID metafield change");
      return c.json({ error: `Shopify did not ${words.refused} the site ID: ${err.messages.join("; ")}`, code: "shopify_refused" }, 502);
    }
  }

  routes.get("/", async (c) => {
    const shop = c.get("shop");
    const settings = await tracking.read(shop);
    return c.json({ ...settings, withdrawnSiteId: settings.siteId === null ? await deps.withdrawnSiteId(shop) : null, progress: await deps.progress.read(shop) });
  });

  routes.put("/embed", bodyLimit({ maxSize: 1024, onError: (c) => c.json({ error: "The request is too large.", code: "too_large" }, 413) }), async (c) => {
    const body: unknown = await c.req.json().catch(() => undefined);
    const status = (body as { status?: unknown } | undefined)?.status;
    if (!EMBED_STATUSES.includes(status as EmbedStatus)) {
      return c.json({ error: `Send { "status": "${EMBED_STATUSES.join('" | "')}" }.`, code: "bad_request" }, 400);
    }
    return c.json({ progress: await deps.progress.noteEmbed(c.get("shop"), status as EmbedStatus) });
  });

  routes.put(
    "/",
    bodyLimit({ maxSize: 4096, onError: (c) => c.json({ error: "The request is too large.", code: "too_large" }, 413) }),
    async (c) => {
      const shop = c.get("shop");
      if (!(await deps.canTrack(shop))) return c.json({ error: "Tracking needs an active heatmaps account: subscribe first.", code: "needs_active_account" }, 409);
      const body: unknown = await c.req.json().catch(() => undefined);
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        return c.json({ error: 'Send a JSON object: { "siteId": "<digits>" }.', code: "bad_request" }, 400);
      }
      const parsed = parseSiteId((body as { siteId?: unknown }).siteId);
      if (!parsed.ok) return c.json({ error: parsed.error, code: parsed.code, params: parsed.params, field: "siteId" }, 400);
      return change(c, () => tracking.save(shop, parsed.siteId), { done: "saved", refused: "accept" });
    },
  );

  routes.delete("/", (c) => change(c, () => tracking.clear(c.get("shop")), { done: "removed", refused: "remove" }));

  return routes;
}
