import { randomUUID } from "node:crypto";
import { SHOPIFY_API_VERSION } from "../shopify/api-version.ts";
import { createWebhookSigner } from "../shopify/webhook-hmac.ts";

export interface SentWebhook { status: number; webhookId: string; eventId: string }

/** Delivers webhooks the way Shopify does: raw JSON body, base64 HMAC, the X-Shopify-* headers. */
export function createSenderOfWebhooks(options: { baseUrl: string; appSecret: string; fetch?: typeof fetch }) {
  const signer = createWebhookSigner(options.appSecret);
  const doFetch = options.fetch ?? fetch;
  return async function sendWebhook(topic: string, shop: string, payload: unknown): Promise<SentWebhook> {
    const body = JSON.stringify(payload);
    const webhookId = randomUUID();
    const eventId = randomUUID();
    const res = await doFetch(`${options.baseUrl}/webhooks`, {
      method: "POST", body,
      headers: {
        "content-type": "application/json", "x-shopify-topic": topic, "x-shopify-shop-domain": shop,
        "x-shopify-api-version": SHOPIFY_API_VERSION, "x-shopify-webhook-id": webhookId, "x-shopify-event-id": eventId,
        "x-shopify-triggered-at": new Date().toISOString(), "x-shopify-hmac-sha256": signer.sign(body),
      },
    });
    await res.arrayBuffer();
    return { status: res.status, webhookId, eventId };
  };
}
