import { randomUUID } from "node:crypto";
import { samplePayload } from "../src/webhooks/sample-payloads.ts";
import { SHOPIFY_API_VERSION } from "../src/shopify/api-version.ts";
import { createWebhookSigner } from "../src/shopify/webhook-hmac.ts";

/** What the load generator needs to build its own pre-signed events (nothing big crosses IPC). */
export interface WebhookEventsSpec {
  /** Names the run in the buyers' emails; event and webhook ids are random UUIDs, as Shopify's are. */
  runId: string;
  count: number;
  appSecret: string;
  /** `host:port`, for the Host header. */
  host: string;
  /** Events are spread over this many shops. @default 200 */
  shops?: number;
  /** Line-item SKU; an `ADDON_SKUS` one makes each event enqueue a job. @default a plain product */
  sku?: string;
}

export interface SignedWebhook {
  body: string;
  headers: Record<string, string>;
}

/**
 * One `orders/paid` delivery as Shopify sends it: a real-sized order body (about 800 bytes), a unique
 * event and webhook id, the HMAC of the body. Orders are the topic that arrives by volume.
 */
export function signedOrderWebhook(spec: WebhookEventsSpec, index: number, sign: (body: string) => string): SignedWebhook {
  const shopCount = spec.shops ?? 200;
  const shop = `bench-${index % shopCount}.myshopify.com`;
  const id = 5_000_000_000 + index;
  const body = JSON.stringify(samplePayload("orders/paid", {
    shop, id, sku: spec.sku ?? "TSHIRT-BLUE-M", email: `buyer-${spec.runId}-${index}@example.com`, at: "2026-01-15T10:00:00.000Z",
  }));
  return {
    body,
    headers: {
      "Content-Type": "application/json",
      "User-Agent": "Shopify-Captain-Hook",
      "X-Shopify-Topic": "orders/paid",
      "X-Shopify-Shop-Domain": shop,
      "X-Shopify-API-Version": SHOPIFY_API_VERSION,
      "X-Shopify-Webhook-Id": randomUUID(),
      "X-Shopify-Event-Id": randomUUID(),
      "X-Shopify-Triggered-At": "2026-01-15T10:00:00.000Z",
      "X-Shopify-Hmac-Sha256": sign(body),
    },
  };
}

/** Every event of the spec as the raw bytes of an HTTP/1.1 keep-alive request, built before any is sent. */
export function buildWebhookRequests(spec: WebhookEventsSpec): Buffer[] {
  const signer = createWebhookSigner(spec.appSecret);
  const sign = (body: string) => signer.sign(body);
  const requests: Buffer[] = new Array(spec.count);
  for (let i = 0; i < spec.count; i++) {
    const { body, headers } = signedOrderWebhook(spec, i, sign);
    let head = `POST /webhooks HTTP/1.1\r\nHost: ${spec.host}\r\nAccept: */*\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    requests[i] = Buffer.from(`${head}\r\n${body}`);
  }
  return requests;
}
