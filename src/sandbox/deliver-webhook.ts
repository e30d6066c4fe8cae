import { randomUUID } from "node:crypto";
import { SHOPIFY_API_VERSION } from "../shopify/api-version.ts";
import type { WebhookSigner } from "../shopify/webhook-hmac.ts";

export interface DeliveredWebhook { status: number; webhookId: string; eventId: string }

/** Sends one webhook; resolves once the app answered 2xx. */
export type WebhookDeliverer = (topic: string, shop: string, payload: object) => Promise<DeliveredWebhook>;

export interface WebhookDelivererOptions {
  /** The app's base URL (the loopback address in `server.ts`); webhooks go to `<baseUrl>/webhooks`. */
  baseUrl: string;
  /** Signs with the app secret, as Shopify does. */
  signer: WebhookSigner;
  fetch?: typeof fetch;
  /** Epoch milliseconds, for `X-Shopify-Triggered-At`. @default Date.now */
  now?: () => number;
  /** Shopify gives up after 5 s. @default 5000 */
  timeoutMs?: number;
}

/** The app answered with a non-2xx status (`status`), or not at all (`status` null). */
export class WebhookDeliveryError extends Error {
  readonly status: number | null;
  /** The start of the app's answer (it names the problem), when there was one. */
  readonly responseText: string;

  constructor(topic: string, status: number | null, options: { cause?: unknown; responseText?: string } = {}) {
    super(`Webhook ${topic} was not accepted: ${status === null ? "no response" : `HTTP ${status}`}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "WebhookDeliveryError";
    this.status = status;
    this.responseText = options.responseText ?? "";
  }
}

/**
 * Delivers webhooks the way Shopify does: the JSON body signed as raw bytes (base64
 * HMAC-SHA256 in `X-Shopify-Hmac-Sha256`) and the `X-Shopify-*` headers, with fresh
 * webhook and event ids per delivery.
 * @see https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-2-validate-the-origin-of-your-webhook-to-ensure-its-coming-from-shopify
 */
export function createWebhookDeliverer(options: WebhookDelivererOptions): WebhookDeliverer {
  const url = `${options.baseUrl.replace(/\/+$/, "")}/webhooks`;
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 5000;

  return async (topic, shop, payload) => {
    const body = JSON.stringify(payload);
    const webhookId = randomUUID();
    const eventId = randomUUID();
    let response: Response;
    try {
      response = await doFetch(url, {
        method: "POST",
        body,
        headers: {
          "Content-Type": "application/json",
          "X-Shopify-Topic": topic,
          "X-Shopify-Hmac-Sha256": options.signer.sign(body),
          "X-Shopify-Shop-Domain": shop,
          "X-Shopify-API-Version": SHOPIFY_API_VERSION,
          "X-Shopify-Webhook-Id": webhookId,
          "X-Shopify-Event-Id": eventId,
          "X-Shopify-Triggered-At": new Date(now()).toISOString(),
        },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new WebhookDeliveryError(topic, null, { cause: err });
    }
    if (!response.ok) {
      const responseText = (await response.text().catch(() => "")).slice(0, 500);
      throw new WebhookDeliveryError(topic, response.status, { responseText });
    }
    await response.body?.cancel();
    return { status: response.status, webhookId, eventId };
  };
}
