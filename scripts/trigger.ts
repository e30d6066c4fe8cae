/**
 * `npm run trigger -- <topic> [--shop S] [--email E] [--sku K] [--status ST] [--url U]`
 * Sends one correctly signed sample webhook to a running app, like `shopify app webhook trigger`.
 */
import { parseArgs } from "node:util";
import { loadConfigOrExit } from "../src/config.ts";
import { WebhookDeliveryError, createWebhookDeliverer } from "../src/sandbox/deliver-webhook.ts";
import { createWebhookSigner } from "../src/shopify/webhook-hmac.ts";
import { samplePayload } from "../src/webhooks/sample-payloads.ts";
import { HANDLED_TOPICS } from "../src/webhooks/webhook-jobs.ts";
import { triggerHint } from "./trigger-hint.ts";

const USAGE = "usage: npm run trigger -- <topic> [--shop S] [--email E] [--sku K] [--status ST] [--url U]";
const HELP = `${USAGE}\ntopics: ${HANDLED_TOPICS.join(", ")} (any other topic sends {})\n`;
let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      shop: { type: "string", default: "demo-shop.myshopify.com" },
      email: { type: "string" }, sku: { type: "string" }, status: { type: "string" }, url: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${HELP}`);
  process.exit(2);
}
const { values, positionals } = parsed;
const topic = positionals[0];
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
if (!topic || positionals.length > 1) {
  process.stderr.write(HELP);
  process.exit(2);
}
const { config } = loadConfigOrExit();
const baseUrl = (values.url ?? `http://localhost:${config.port}`).replace(/\/+$/, "").replace(/\/webhooks$/, "");
const sku = values.sku ?? config.addonSkus[0]?.toUpperCase();
const body = samplePayload(topic, { shop: values.shop, email: values.email, sku, status: values.status });
const deliver = createWebhookDeliverer({ baseUrl, signer: createWebhookSigner(config.shopify.apiSecret) });
try {
  const { status, webhookId, eventId } = await deliver(topic, values.shop, body);
  process.stdout.write(`${topic} for ${values.shop} → ${baseUrl}/webhooks: HTTP ${status} (event ${eventId}, webhook ${webhookId})\n`);
  const buyer = (body as { customer?: { id?: number; email?: string } }).customer;
  if (topic === "orders/paid" && buyer?.id !== undefined && config.shopify.sandbox) {
    // The buyer's side, through the sandbox's stand-in storefront (signed like Shopify's app proxy).
    const storefront = new URL(`${baseUrl}/sandbox/storefront`);
    storefront.search = new URLSearchParams({ shop: values.shop, customer: String(buyer.id), email: buyer.email ?? "" }).toString();
    process.stdout.write(`The buyer opens their heatmaps at: ${storefront}\n`);
  }
} catch (err) {
  if (err instanceof WebhookDeliveryError && err.status !== null) {
    const said = err.responseText.trim() === "" ? "" : `: ${err.responseText.trim()}`;
    process.stderr.write(`${topic} for ${values.shop} → ${baseUrl}/webhooks: HTTP ${err.status}${said}\n${triggerHint(err.status)}\n`);
  } else {
    process.stderr.write(`could not reach ${baseUrl}/webhooks: ${err instanceof Error ? err.message : String(err)}\nIs the app running (npm start)?\n`);
  }
  process.exit(1);
}
