import { randomUUID } from "node:crypto";
import { createWebhookSigner } from "../../src/shopify/webhook-hmac.ts";

export interface WebhookRequestInput {
  topic: string;
  shop: string;
  body: unknown;
  secret?: string;
  eventId?: string | null;
  webhookId?: string;
  triggeredAt?: string;
}

/** A delivery exactly as Shopify sends it: raw JSON body, base64 HMAC-SHA256, X-Shopify-* headers. */
export function buildWebhookRequest(input: WebhookRequestInput): { body: string; headers: Record<string, string> } {
  const body = typeof input.body === "string" ? input.body : JSON.stringify(input.body);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-shopify-topic": input.topic,
    "x-shopify-shop-domain": input.shop,
    "x-shopify-api-version": "2026-10",
    "x-shopify-webhook-id": input.webhookId ?? randomUUID(),
    "x-shopify-triggered-at": input.triggeredAt ?? new Date().toISOString(),
    "x-shopify-hmac-sha256": createWebhookSigner(input.secret ?? "sandbox-api-secret").sign(body),
  };
  if (input.eventId !== null) headers["x-shopify-event-id"] = input.eventId ?? randomUUID();
  return { body, headers };
}

export async function postWebhook(baseUrl: string, input: WebhookRequestInput): Promise<Response> {
  const { body, headers } = buildWebhookRequest(input);
  return fetch(`${baseUrl}/webhooks`, { method: "POST", body, headers });
}

export const subscriptionPayload = (status: string, id = "gid://shopify/AppSubscription/1", updatedAt = new Date().toISOString()) => ({
  app_subscription: {
    admin_graphql_api_id: id, name: "MouseStats Heatmaps", status,
    admin_graphql_api_shop_id: "gid://shopify/Shop/1", created_at: updatedAt, updated_at: updatedAt,
    currency: "USD", capped_amount: null, price: "9.99", interval: "every_30_days", plan_handle: null,
  },
});

export const orderPayload = (input: { id: number; email: string | null; skus: string[]; financialStatus?: string }) => ({
  id: input.id, admin_graphql_api_id: `gid://shopify/Order/${input.id}`, name: `#${input.id}`, email: input.email,
  contact_email: input.email, financial_status: input.financialStatus ?? "paid", test: false,
  customer: input.email ? { id: 77, email: input.email } : null,
  line_items: input.skus.map((sku, i) => ({ id: i + 1, sku, title: "Item", quantity: 1, price: "9.99" })),
});
