import type { Logger } from "../logger.ts";
import { parseShopDomain } from "../shopify/shop-domain.ts";
import type { WebhookSigner } from "../shopify/webhook-hmac.ts";
import { dedupeKeyFor, type WebhookInbox } from "./webhook-inbox.ts";
import { planWebhook, UNHANDLED_TOPIC, type WebhookRules } from "./webhook-jobs.ts";

export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;
const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
const TOPIC_PATTERN = /^[a-z0-9_]+(\/[a-z0-9_]+)+$/;

export interface WebhookHandlerOptions {
  signer: WebhookSigner;
  inbox: WebhookInbox;
  rules: WebhookRules;
  logger: Logger;
  /** Called after an event and its jobs are committed (wakes the worker). */
  onAccepted: () => void;
  /** Counts each delivery by outcome (metrics). */
  onOutcome?: (topic: string, outcome: WebhookOutcome) => void;
  now?: () => number;
}

export type WebhookOutcome = "accepted" | "duplicate" | "ignored" | "unprocessable" | "unauthorized" | "malformed" | "too_large";

/** What to answer: 200 with no body, or the status and a JSON `{ error }`. */
export interface WebhookReply {
  status: 200 | 400 | 401;
  error?: string;
}

/** Reads a request header by its lower-case name. */
export type HeaderReader = (name: string) => string | undefined;

/** Where the handler answers: exactly one of these is called, once. */
export interface WebhookReplySink {
  /** 200 once the delivery is stored, or the rejection, at once. */
  reply(reply: WebhookReply): void;
  /** The delivery could not be stored: answer 500 (Shopify retries). */
  fail(err: unknown): void;
}

export type WebhookHandler = (raw: Uint8Array, header: HeaderReader, sink: WebhookReplySink) => void;

const OK: WebhookReply = { status: 200 };

/**
 * The transport-free core of `POST /webhooks`: verify the HMAC over the raw bytes, check headers
 * and body, store the event and its jobs (one transaction, shared with the deliveries that
 * arrived together), answer. Rejections are answered at once; an accepted delivery only once
 * its commit is done. Nothing here waits on MouseStats.
 */
export function createWebhookHandler(options: WebhookHandlerOptions): WebhookHandler {
  const { signer, inbox, rules, logger, onAccepted, now = Date.now } = options;
  const count = options.onOutcome ?? (() => {});
  const utf8 = new TextDecoder("utf-8", { fatal: true });

  return function handleWebhook(raw, header, sink) {
    if (!signer.verify(raw, header("x-shopify-hmac-sha256"))) {
      logger.warn({ scope: "webhooks" }, "webhook rejected: missing or invalid HMAC");
      count("unknown", "unauthorized");
      return sink.reply({ status: 401, error: "invalid HMAC" });
    }
    const topic = header("x-shopify-topic")?.trim() ?? "";
    const shop = parseShopDomain(header("x-shopify-shop-domain"));
    const webhookId = header("x-shopify-webhook-id")?.trim() ?? "";
    const eventId = header("x-shopify-event-id")?.trim() || null;
    const triggeredAt = header("x-shopify-triggered-at");
    const problems = [
      !TOPIC_PATTERN.test(topic) && "X-Shopify-Topic",
      !shop && "X-Shopify-Shop-Domain",
      !ID_PATTERN.test(webhookId) && "X-Shopify-Webhook-Id",
      eventId !== null && !ID_PATTERN.test(eventId) && "X-Shopify-Event-Id",
      !header("x-shopify-api-version") && "X-Shopify-API-Version",
    ].filter(Boolean);
    if (problems.length > 0 || !shop) {
      count("unknown", "malformed");
      return sink.reply({ status: 400, error: `missing or invalid header: ${problems.join(", ")}` });
    }

    let text: string;
    let body: unknown;
    try {
      text = utf8.decode(raw);
      body = JSON.parse(text);
    } catch {
      count(topic, "malformed");
      return sink.reply({ status: 400, error: "body must be UTF-8 JSON" });
    }

    const receivedAtMs = now();
    const triggeredAtParsed = triggeredAt ? Date.parse(triggeredAt) : NaN;
    const triggeredAtMs = Number.isFinite(triggeredAtParsed) ? triggeredAtParsed : null;
    const plan = planWebhook({ topic, shop, text, body, triggeredAtMs, receivedAtMs }, rules);
    // A verified body we cannot act on is still Shopify's word: kept whole for the operator (200),
    // never refused (Shopify would retry it for hours and count it against the subscription).
    const unprocessableReason = plan.kind === "unprocessable" ? plan.reason : null;
    if (unprocessableReason) logger.warn({ scope: "webhooks", topic, shop, webhookId, reason: unprocessableReason }, "webhook stored as unprocessable");
    else if (plan.kind === "ignore" && plan.reason === UNHANDLED_TOPIC) logger.info({ scope: "webhooks", topic, shop, webhookId }, "webhook of a topic this app does not handle; ignored");
    inbox.accept({
      dedupeKey: dedupeKeyFor(topic, eventId, webhookId), eventId, webhookId, topic, shop,
      triggeredAtMs, receivedAtMs,
      jobs: plan.kind === "jobs" ? plan.jobs : [],
      // Bodies of deliveries that carry an effect are kept (for replay); the ignored ones, most of the volume, are not.
      payload: plan.kind === "ignore" ? null : text,
      unprocessableReason,
    }, (err, outcome) => {
      if (outcome === undefined) return sink.fail(err);
      try {
        if (outcome === "accepted" && plan.kind === "jobs") onAccepted();
        count(topic, outcome === "accepted" && plan.kind !== "jobs" ? (plan.kind === "ignore" ? "ignored" : "unprocessable") : outcome);
        // One line per delivery is debug: the inbox row is the durable record of every delivery.
        if (logger.isLevelEnabled("debug")) {
          logger.debug({ scope: "webhooks", topic, shop, webhookId, outcome, reason: plan.kind === "jobs" ? undefined : plan.reason }, "webhook stored");
        }
      } catch (hookError) {
        // Stored all the same: a failing metric or wake-up must not turn the 200 into a 500.
        logger.error({ err: hookError instanceof Error ? hookError.message : String(hookError) }, "webhook stored; after-commit step failed");
      }
      sink.reply(OK);
    });
  };
}
