import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Logger } from "../logger.ts";
import { parseShopDomain } from "../shopify/shop-domain.ts";
import type { WebhookSigner } from "../shopify/webhook-hmac.ts";
import { dedupeKeyFor, type WebhookInbox } from "./webhook-inbox.ts";
import { planWebhook } from "./webhook-jobs.ts";

export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;
const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
const TOPIC_PATTERN = /^[a-z0-9_]+(\/[a-z0-9_]+)+$/;

export interface WebhookRouteOptions {
  signer: WebhookSigner;
  inbox: WebhookInbox;
  addonSkus: readonly string[];
  logger: Logger;
  /** Called after an event and its jobs are committed (wakes the worker). */
  onAccepted: () => void;
  /** Counts each delivery by outcome (metrics). */
  onOutcome?: (topic: string, outcome: WebhookOutcome) => void;
  now?: () => number;
}

export type WebhookOutcome = "accepted" | "duplicate" | "ignored" | "unauthorized" | "malformed" | "too_large";

/**
 * `POST /webhooks`: verify the HMAC over the raw bytes, check headers and body, store the event
 * and its jobs in one transaction, answer 200. Nothing here waits on MouseStats.
 */
export function createWebhookRoute(options: WebhookRouteOptions): Hono {
  const { signer, inbox, addonSkus, logger, onAccepted, now = Date.now } = options;
  const count = options.onOutcome ?? (() => {});
  const app = new Hono();
  app.post(
    "/",
    bodyLimit({ maxSize: MAX_WEBHOOK_BODY_BYTES, onError: (c) => {
      count("unknown", "too_large");
      // The rest of the body is never read: the socket cannot be reused.
      return c.json({ error: "body larger than 1 MiB" }, 413, { Connection: "close" });
    } }),
    async (c) => {
      const raw = new Uint8Array(await c.req.arrayBuffer());
      if (!signer.verify(raw, c.req.header("x-shopify-hmac-sha256"))) {
        logger.warn({ scope: "webhooks" }, "webhook rejected: missing or invalid HMAC");
        count("unknown", "unauthorized");
        return c.json({ error: "invalid HMAC" }, 401);
      }
      const topic = c.req.header("x-shopify-topic")?.trim() ?? "";
      const shop = parseShopDomain(c.req.header("x-shopify-shop-domain"));
      const webhookId = c.req.header("x-shopify-webhook-id")?.trim() ?? "";
      const eventId = c.req.header("x-shopify-event-id")?.trim() || null;
      const triggeredAt = c.req.header("x-shopify-triggered-at");
      const problems = [
        !TOPIC_PATTERN.test(topic) && "X-Shopify-Topic",
        !shop && "X-Shopify-Shop-Domain",
        !ID_PATTERN.test(webhookId) && "X-Shopify-Webhook-Id",
        eventId !== null && !ID_PATTERN.test(eventId) && "X-Shopify-Event-Id",
        !c.req.header("x-shopify-api-version") && "X-Shopify-API-Version",
      ].filter(Boolean);
      if (problems.length > 0 || !shop) {
        count("unknown", "malformed");
        return c.json({ error: `missing or invalid header: ${problems.join(", ")}` }, 400);
      }

      let body: unknown;
      try {
        body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw));
      } catch {
        body = undefined;
      }
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        count(topic, "malformed");
        return c.json({ error: "body must be a UTF-8 JSON object" }, 400);
      }

      const receivedAtMs = now();
      const triggeredAtMs = triggeredAt ? Date.parse(triggeredAt) : NaN;
      const eventAtMs = Number.isFinite(triggeredAtMs) ? triggeredAtMs : receivedAtMs;
      const plan = planWebhook({ topic, shop, body, eventAtMs, addonSkus });
      const log = logger.child({ scope: "webhooks", topic, shop, webhookId });
      if (plan.kind === "malformed") {
        log.warn({ reason: plan.reason }, "webhook rejected: malformed body");
        count(topic, "malformed");
        return c.json({ error: plan.reason }, 400);
      }
      const outcome = inbox.accept({
        dedupeKey: dedupeKeyFor(topic, eventId, webhookId), eventId, webhookId, topic, shop,
        triggeredAtMs: Number.isFinite(triggeredAtMs) ? triggeredAtMs : null, receivedAtMs,
        jobs: plan.kind === "jobs" ? plan.jobs : [],
      });
      if (outcome === "accepted" && plan.kind === "jobs") onAccepted();
      count(topic, outcome === "accepted" && plan.kind === "ignore" ? "ignored" : outcome);
      if (plan.kind === "ignore" && outcome === "accepted") log.info({ reason: plan.reason }, "webhook accepted, nothing to do");
      else log.info({ outcome }, "webhook accepted");
      return c.body(null, 200);
    },
  );
  return app;
}
