import { z } from "zod";
import type { EnqueueInput } from "../queue/job-queue.ts";
import { JOB_KINDS, type JobPayloads } from "../provisioning/job-kinds.ts";
import { exactId, parseExactJson } from "./exact-json.ts";

/**
 * Every topic the app acts on: planWebhook has a case for each (the compiler checks it), and
 * shopify.app.toml subscribes exactly these (test/deploy/shopify-app-toml.test.ts).
 */
export const HANDLED_TOPICS = [
  "app_subscriptions/update",
  "app_purchases_one_time/update",
  "orders/paid",
  "app/uninstalled",
  "customers/data_request",
  "customers/redact",
  "shop/redact",
] as const;
export type HandledTopic = (typeof HANDLED_TOPICS)[number];
const HANDLED = new Set<string>(HANDLED_TOPICS);
export const isHandledTopic = (topic: string): topic is HandledTopic => HANDLED.has(topic);

export interface WebhookFacts {
  topic: string;
  shop: string;
  /** The raw body; ids are read from it with `parseExactJson`. */
  text: string;
  /** `JSON.parse(text)`: ids past 2^53 are rounded here, so no id is read from it. */
  body: unknown;
  /** X-Shopify-Triggered-At, else the time we received it. */
  eventAtMs: number;
  addonSkus: readonly string[];
}

/**
 * What a verified webhook asks of us: jobs to enqueue, nothing (with why), or nothing we can
 * do yet: a body whose shape we do not expect, kept whole for the operator to replay.
 */
export type WebhookPlan =
  | { kind: "jobs"; jobs: EnqueueInput[] }
  | { kind: "ignore"; reason: string }
  | { kind: "unprocessable"; reason: string };

// Status values as documented for AppSubscriptionStatus and AppPurchaseStatus
// (https://shopify.dev/docs/api/admin-graphql/latest/enums/AppSubscriptionStatus); one we do
// not know is kept for the operator rather than read as "nothing to do".
const DEACTIVATING_STATUSES = new Set(["CANCELLED", "DECLINED", "EXPIRED", "FROZEN"]);
const WAITING_SUBSCRIPTION_STATUSES = new Set(["PENDING", "ACCEPTED"]);
const NON_ACTIVE_PURCHASE_STATUSES = new Set(["PENDING", "ACCEPTED", "DECLINED", "EXPIRED"]);
// REST Order financial_status values (https://shopify.dev/docs/api/admin-rest/latest/resources/order).
const FINANCIAL_STATUSES = new Set(["pending", "authorized", "partially_paid", "paid", "partially_refunded", "refunded", "voided", "expired"]);

const billingObject = z.object({
  admin_graphql_api_id: z.string().min(1).max(200),
  status: z.string().min(1).max(40),
  updated_at: z.string().max(64).nullish(),
});
const appSubscriptionBody = z.object({ app_subscription: billingObject });
const oneTimePurchaseBody = z.object({ app_purchase_one_time: billingObject });

// Orders are read in two steps: every order's SKUs from the plain parse, then, only for an
// add-on order, its ids and emails from the exact one. Planning an ignored order (most of them)
// is 0.3 µs this way; the email checks and id parse are the rest.
const orderSkus = z.object({
  line_items: z.array(z.object({ sku: z.string().nullish() })).max(10_000),
});
const email = z.string().trim().toLowerCase().pipe(z.email()).nullish().catch(null);
const addonOrder = z.object({
  id: exactId,
  financial_status: z.string().nullish(),
  email,
  contact_email: email,
  customer: z.object({ id: exactId.nullish(), email }).nullish(),
});
const customerBody = z.object({
  customer: z.object({ id: exactId.nullish(), email: z.string().max(320).nullish() }).nullish(),
  orders_requested: z.array(exactId).max(10_000).nullish(),
  orders_to_redact: z.array(exactId).max(10_000).nullish(),
  data_request: z.object({ id: exactId }).nullish(),
});

function job<K extends keyof JobPayloads>(kind: K, payload: JobPayloads[K], idempotencyKey?: string): EnqueueInput {
  return { kind, payload, idempotencyKey: idempotencyKey ?? null };
}

const jobs = (...planned: EnqueueInput[]): WebhookPlan => ({ kind: "jobs", jobs: planned });
const unprocessable = (reason: string): WebhookPlan => ({ kind: "unprocessable", reason });

function eventTime(updatedAt: string | null | undefined, fallbackMs: number): number {
  const parsed = updatedAt ? Date.parse(updatedAt) : NaN;
  return Number.isFinite(parsed) ? parsed : fallbackMs;
}

export const UNHANDLED_TOPIC = "topic not handled";

/** Pure: turns a verified webhook into the jobs that carry out its effect (CONTRACT "Webhook topics"). */
export function planWebhook(facts: WebhookFacts): WebhookPlan {
  const { topic, shop } = facts;
  if (!isHandledTopic(topic)) return { kind: "ignore", reason: UNHANDLED_TOPIC };
  switch (topic) {
    case "app_subscriptions/update": {
      const parsed = appSubscriptionBody.safeParse(facts.body);
      if (!parsed.success) return unprocessable("app_subscription object missing or invalid");
      const sub = parsed.data.app_subscription;
      const eventAtMs = eventTime(sub.updated_at, facts.eventAtMs);
      if (sub.status === "ACTIVE") {
        return jobs(job(JOB_KINDS.activateShop, { shop, source: "subscription", sourceRef: sub.admin_graphql_api_id, status: sub.status, eventAtMs }));
      }
      if (DEACTIVATING_STATUSES.has(sub.status)) {
        return jobs(job(JOB_KINDS.deactivateShop, { shop, reason: sub.status, sourceRef: sub.admin_graphql_api_id, eventAtMs }));
      }
      if (WAITING_SUBSCRIPTION_STATUSES.has(sub.status)) return { kind: "ignore", reason: `subscription status ${sub.status} changes nothing` };
      return unprocessable(`unknown subscription status ${sub.status}`);
    }
    case "app_purchases_one_time/update": {
      const parsed = oneTimePurchaseBody.safeParse(facts.body);
      if (!parsed.success) return unprocessable("app_purchase_one_time object missing or invalid");
      const purchase = parsed.data.app_purchase_one_time;
      if (NON_ACTIVE_PURCHASE_STATUSES.has(purchase.status)) return { kind: "ignore", reason: `purchase status ${purchase.status} changes nothing` };
      if (purchase.status !== "ACTIVE") return unprocessable(`unknown purchase status ${purchase.status}`);
      const eventAtMs = eventTime(purchase.updated_at, facts.eventAtMs);
      return jobs(job(JOB_KINDS.activateShop, { shop, source: "purchase", sourceRef: purchase.admin_graphql_api_id, status: purchase.status, eventAtMs }));
    }
    case "orders/paid":
      return planPaidOrder(facts);
    case "app/uninstalled":
      return jobs(job(JOB_KINDS.uninstallShop, { shop, eventAtMs: facts.eventAtMs }));
    case "customers/data_request":
    case "customers/redact": {
      const parsed = customerBody.safeParse(parseExactJson(facts.text));
      if (!parsed.success) return unprocessable("customer compliance payload invalid");
      const c = parsed.data;
      const payload = {
        shop,
        customerId: c.customer?.id ?? null,
        email: c.customer?.email?.trim().toLowerCase() || null,
        orderIds: (topic === "customers/redact" ? c.orders_to_redact : c.orders_requested) ?? [],
        receivedAtMs: facts.eventAtMs,
      };
      return jobs(topic === "customers/redact" ? job(JOB_KINDS.redactCustomer, payload) : job(JOB_KINDS.reportCustomerData, payload));
    }
    case "shop/redact":
      return jobs(job(JOB_KINDS.redactShop, { shop, receivedAtMs: facts.eventAtMs }));
    default: {
      const unplanned: never = topic;
      throw new Error(`no plan for handled topic ${String(unplanned)}`);
    }
  }
}

function planPaidOrder(facts: WebhookFacts): WebhookPlan {
  const skus = orderSkus.safeParse(facts.body);
  if (!skus.success) return unprocessable("order line_items missing or invalid");
  const hasAddon = skus.data.line_items.some((li) => li.sku && facts.addonSkus.includes(li.sku.trim().toLowerCase()));
  if (!hasAddon) return { kind: "ignore", reason: "no add-on SKU in the order" };

  const parsed = addonOrder.safeParse(parseExactJson(facts.text));
  if (!parsed.success) return unprocessable("add-on order: id missing or invalid");
  const order = parsed.data;
  const status = order.financial_status;
  if (status && status !== "paid") {
    return FINANCIAL_STATUSES.has(status) ? { kind: "ignore", reason: `order financial_status is ${status}` } : unprocessable(`add-on order: unknown financial_status ${status}`);
  }
  const orderEmail = order.email ?? order.contact_email ?? order.customer?.email;
  // Shopify sends the buyer's email only to apps approved for protected customer data (level 2).
  if (!orderEmail) return unprocessable("add-on order has no email (protected customer data access, level 2, may be missing)");
  return jobs(job(JOB_KINDS.provisionOrder, { shop: facts.shop, orderId: order.id, email: orderEmail, customerId: order.customer?.id ?? null }));
}
