import { randomBytes } from "node:crypto";
import { SHOPIFY_API_VERSION } from "../../src/shopify/api-version.ts";
import { createWebhookSigner } from "../../src/shopify/webhook-hmac.ts";

/** `unexpected`: correctly signed JSON of a shape the app does not expect; kept whole (200), never acted on. */
export type EventKind = "valid" | "forged" | "malformed" | "unexpected";
export type MappingSource = "subscription" | "purchase" | "order";

/** One webhook event, with the exact bytes every delivery of it sends. */
export interface PlannedEvent {
  id: number;
  kind: EventKind;
  topic: string;
  eventId: string;
  body: string;
  headers: Record<string, string>;
  /** The status every delivery must get: 200 valid or unexpected, 401 forged, 400 malformed. */
  expectedStatus: 200 | 400 | 401;
  /** What a valid add-on event must lead to: an active account for `email`, mapped to `shop`. */
  effect?: { shop: string; email: string; source: MappingSource };
}

/** One POST: an event's first delivery, or a duplicate (`concurrent`: sent alongside the original). */
export interface Delivery { event: PlannedEvent; duplicate: boolean; concurrent: boolean }

export interface PlanOptions {
  webhooks: number;
  shops: number;
  seed: number;
  appSecret: string;
  /** Lower-case SKUs the app is configured with (ADDON_SKUS). */
  addonSkus: readonly string[];
}

export interface SoakPlan {
  deliveries: Delivery[];
  events: PlannedEvent[];
  shopDomain: (i: number) => string;
  ownerEmail: (i: number) => string;
}

/** The customer id, on store `shop`, of the buyer whose email is `ownerEmail(buyer)`. */
export const buyerCustomerId = (shop: number, buyer: number) => 100_000 + shop * 1000 + buyer;

/** Every forged or malformed event names a shop or email from here; none may ever show up anywhere. */
export const POISON_PREFIX = "poison-";

/** mulberry32: a small seeded generator, so a failing run can be repeated with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * 20,000 deliveries by default: 10% duplicates (half of them sent together with the original),
 * 5% forged HMACs, 2% malformed (correctly signed), 2% of a shape the app does not expect
 * (correctly signed JSON, kept for the operator), the rest new valid events: subscriptions
 * and one-time purchases (the shop owner's account), add-on orders (another shop owner as the
 * buyer, so one account maps to several shops), orders without the add-on and unhandled topics.
 */
export function buildSoakPlan(options: PlanOptions): SoakPlan {
  const random = seededRandom(options.seed);
  const signer = createWebhookSigner(options.appSecret);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const shopIndex = () => Math.floor(random() * options.shops);
  const shopDomain = (i: number) => `soak-${String(i).padStart(3, "0")}.myshopify.com`;
  const ownerEmail = (i: number) => `soak-${String(i).padStart(3, "0")}@example.com`;
  const poison = () => `${POISON_PREFIX}${Math.floor(random() * 1e9)}`;
  const skuVariants = options.addonSkus.flatMap((s) => [s, s.toUpperCase()]);
  const events: PlannedEvent[] = [];
  const valid: PlannedEvent[] = [];
  const deliveries: Delivery[] = [];
  const baseMs = Date.now() - 3_600_000;

  const headersFor = (topic: string, shop: string, body: string, eventId: string): Record<string, string> => ({
    "content-type": "application/json", "x-shopify-topic": topic, "x-shopify-shop-domain": shop,
    "x-shopify-api-version": SHOPIFY_API_VERSION, "x-shopify-webhook-id": `wh-${eventId}`, "x-shopify-event-id": eventId,
    "x-shopify-triggered-at": new Date(baseMs + events.length * 10).toISOString(), "x-shopify-hmac-sha256": signer.sign(body),
  });
  const addEvent = (kind: EventKind, topic: string, shop: string, payload: unknown, effect?: PlannedEvent["effect"]) => {
    const body = typeof payload === "string" ? payload : JSON.stringify(payload);
    const eventId = `soak-${options.seed}-${events.length}`;
    const expectedStatus = kind === "valid" || kind === "unexpected" ? 200 : kind === "forged" ? 401 : 400;
    const event: PlannedEvent = { id: events.length, kind, topic, eventId, body, headers: headersFor(topic, shop, body, eventId), expectedStatus, effect };
    events.push(event);
    return event;
  };
  const at = () => new Date(baseMs + events.length * 10).toISOString();
  const subscription = (status: string) => ({ app_subscription: {
    admin_graphql_api_id: `gid://shopify/AppSubscription/${events.length + 1}`, name: "MouseStats Heatmaps", status,
    admin_graphql_api_shop_id: "gid://shopify/Shop/1", created_at: at(), updated_at: at(), currency: "USD", price: "9.99",
  } });
  const purchase = () => ({ app_purchase_one_time: {
    admin_graphql_api_id: `gid://shopify/AppPurchaseOneTime/${events.length + 1}`, name: "MouseStats Heatmaps", status: "ACTIVE", created_at: at(), updated_at: at(),
  } });
  // A store's customer ids are its own: the same person has another id on every store.
  const order = (email: string, sku: string, customerId = 7) => ({
    id: 1000 + events.length, email, contact_email: email, financial_status: "paid", currency: "USD",
    customer: { id: customerId, email }, line_items: [{ id: 1, sku: "T-SHIRT", quantity: 1 }, { id: 2, sku, quantity: 1 }],
  });

  function newValidEvent(): PlannedEvent {
    const s = shopIndex();
    const shop = shopDomain(s);
    const r = random();
    let event: PlannedEvent;
    if (r < 0.40) event = addEvent("valid", "app_subscriptions/update", shop, subscription("ACTIVE"), { shop, email: ownerEmail(s), source: "subscription" });
    else if (r < 0.50) event = addEvent("valid", "app_purchases_one_time/update", shop, purchase(), { shop, email: ownerEmail(s), source: "purchase" });
    else if (r < 0.85) {
      const b = shopIndex();
      const buyer = ownerEmail(b);
      event = addEvent("valid", "orders/paid", shop, order(buyer, pick(skuVariants), buyerCustomerId(s, b)), { shop, email: buyer, source: "order" });
    } else if (r < 0.95) event = addEvent("valid", "orders/paid", shop, order(`${poison()}@example.com`, "T-SHIRT"));
    else event = addEvent("valid", "products/update", shop, { id: events.length, title: "ignored topic" });
    valid.push(event);
    return event;
  }

  function forgedEvent(): PlannedEvent {
    const variant = Math.floor(random() * 4);
    const event = random() < 0.5
      ? addEvent("forged", "app_subscriptions/update", `${poison()}.myshopify.com`, subscription("ACTIVE"))
      : addEvent("forged", "orders/paid", shopDomain(shopIndex()), order(`${poison()}@example.com`, options.addonSkus[0]!));
    const right = event.headers["x-shopify-hmac-sha256"]!;
    event.headers["x-shopify-hmac-sha256"] = [
      randomBytes(32).toString("base64"),
      createWebhookSigner("not-the-app-secret").sign(event.body),
      Buffer.from(right, "base64").toString("hex"),
      signer.sign(`${event.body} `),
    ][variant]!;
    return event;
  }

  /** Not JSON, or headers Shopify never sends: 400, nothing stored. */
  function malformedEvent(): PlannedEvent {
    const shop = `${poison()}.myshopify.com`;
    const variant = Math.floor(random() * 3);
    if (variant === 0) return addEvent("malformed", "orders/paid", shop, "{not json");
    if (variant === 1) return addEvent("malformed", "app_subscriptions/update", shop.toUpperCase(), subscription("ACTIVE"));
    const event = addEvent("malformed", "app_subscriptions/update", shop, subscription("ACTIVE"));
    delete event.headers["x-shopify-webhook-id"];
    return event;
  }

  /** Verified JSON the app cannot act on: 200, kept whole for the operator, no effect (its emails are poison). */
  function unexpectedEvent(): PlannedEvent {
    const shop = shopDomain(shopIndex());
    const variant = Math.floor(random() * 5);
    if (variant === 0) return addEvent("unexpected", "app_subscriptions/update", shop, { app_subscription: { admin_graphql_api_id: "gid://x", note: poison() } });
    if (variant === 1) return addEvent("unexpected", "app_subscriptions/update", shop, subscription("PAUSED"));
    if (variant === 2) return addEvent("unexpected", "orders/paid", shop, { id: 5, email: `${poison()}@example.com` });
    if (variant === 3) return addEvent("unexpected", "orders/paid", shop, { ...order(`${poison()}@example.com`, options.addonSkus[0]!), id: { odd: true } });
    return addEvent("unexpected", "app_purchases_one_time/update", shop, [poison()]);
  }

  while (deliveries.length < options.webhooks) {
    const r = random();
    if (r < 0.10 && valid.length > 0) {
      if (random() < 0.5) {
        const event = newValidEvent();
        deliveries.push({ event, duplicate: false, concurrent: false }, { event, duplicate: true, concurrent: true });
      } else {
        deliveries.push({ event: pick(valid), duplicate: true, concurrent: false });
      }
    } else if (r < 0.15) deliveries.push({ event: forgedEvent(), duplicate: false, concurrent: false });
    else if (r < 0.17) deliveries.push({ event: malformedEvent(), duplicate: false, concurrent: false });
    else if (r < 0.19) deliveries.push({ event: unexpectedEvent(), duplicate: false, concurrent: false });
    else deliveries.push({ event: newValidEvent(), duplicate: false, concurrent: false });
  }
  deliveries.length = options.webhooks;
  return { deliveries, events, shopDomain, ownerEmail };
}
