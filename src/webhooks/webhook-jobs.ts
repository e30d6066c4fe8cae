import { z } from "zod";
import type { EnqueueInput } from "../queue/job-queue.ts";
import { JOB_KINDS, type JobPayloads } from "../provisioning/job-kinds.ts";

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
  /** Parsed JSON body. */
  body: unknown;
  /** X-Shopify-Triggered-At, else the time we received it. */
  eventAtMs: number;
  addonSkus: readonly string[];
}

/** What a verified webhook asks of us: jobs to enqueue, nothing (with why), or a body we reject. */
export type WebhookPlan =
  | { kind: "jobs"; jobs: EnqueueInput[] }
  | { kind: "ignore"; reason: string }
  | { kind: "malformed"; reason: string };

const DEACTIVATING_STATUSES = new Set(["CANCELLED", "DECLINED", "EXPIRED", "FROZEN"]);

const appSubscriptionBody = z.object({
  app_subscription: z.object({
    admin_graphql_api_id: z.string().min(1).max(200),
    status: z.string().min(1).max(40),
    updated_at: z.string().max(64).nullish(),
  }),
});
const oneTimePurchaseBody = z.object({
  app_purchase_one_time: z.object({
    admin_graphql_api_id: z.string().min(1).max(200),
    status: z.string().min(1).max(40),
    updated_at: z.string().max(64).nullish(),
  }),
});
const idValue = z.union([z.number().int().nonnegative(), z.string().min(1).max(64)]).transform(String);
const email = z.string().trim().toLowerCase().pipe(z.email()).nullish().catch(null);
// Orders are read in two steps: every order's id and SKUs, then, only for an add-on order, its
// emails. Planning an ignored order (most of them) went from 2.7 to 0.3 µs; the email checks
// were most of it, copying each line item's other fields the rest.
const orderBody = z.object({
  id: idValue,
  financial_status: z.string().nullish(),
  line_items: z.array(z.object({ sku: z.string().nullish() })).max(10_000),
});
const orderEmails = z.object({
  email,
  contact_email: email,
  customer: z.object({ email }).nullish().catch(null),
});
const customerBody = z.object({
  customer: z.object({ id: idValue.nullish(), email: z.string().max(320).nullish() }).nullish(),
  orders_requested: z.array(idValue).max(10_000).nullish(),
  orders_to_redact: z.array(idValue).max(10_000).nullish(),
  data_request: z.object({ id: idValue }).nullish(),
});

function job<K extends keyof JobPayloads>(kind: K, payload: JobPayloads[K], idempotencyKey?: string): EnqueueInput {
  return { kind, payload, idempotencyKey: idempotencyKey ?? null };
}

function eventTime(updatedAt: string | null | undefined, fallbackMs: number): number {
  const parsed = updatedAt ? Date.parse(updatedAt) : NaN;
  return Number.isFinite(parsed) ? parsed : fallbackMs;
}

/** Pure: turns a verified webhook into the jobs that carry out its effect (CONTRACT "Webhook topics"). */
export function planWebhook(facts: WebhookFacts): WebhookPlan {
  const { topic, shop, body } = facts;
  if (!isHandledTopic(topic)) return { kind: "ignore", reason: "topic not handled" };
  switch (topic) {
    case "app_subscriptions/update": {
      const parsed = appSubscriptionBody.safeParse(body);
      if (!parsed.success) return { kind: "malformed", reason: "app_subscription object missing or invalid" };
      const sub = parsed.data.app_subscription;
      const eventAtMs = eventTime(sub.updated_at, facts.eventAtMs);
      if (sub.status === "ACTIVE") {
        return { kind: "jobs", jobs: [job(JOB_KINDS.activateShop, { shop, source: "subscription", sourceRef: sub.admin_graphql_api_id, status: sub.status, eventAtMs })] };
      }
      if (DEACTIVATING_STATUSES.has(sub.status)) {
        return { kind: "jobs", jobs: [job(JOB_KINDS.deactivateShop, { shop, reason: sub.status, sourceRef: sub.admin_graphql_api_id, eventAtMs })] };
      }
      return { kind: "ignore", reason: `subscription status ${sub.status} changes nothing` };
    }
    case "app_purchases_one_time/update": {
      const parsed = oneTimePurchaseBody.safeParse(body);
      if (!parsed.success) return { kind: "malformed", reason: "app_purchase_one_time object missing or invalid" };
      const purchase = parsed.data.app_purchase_one_time;
      if (purchase.status !== "ACTIVE") return { kind: "ignore", reason: `purchase status ${purchase.status} changes nothing` };
      const eventAtMs = eventTime(purchase.updated_at, facts.eventAtMs);
      return { kind: "jobs", jobs: [job(JOB_KINDS.activateShop, { shop, source: "purchase", sourceRef: purchase.admin_graphql_api_id, status: purchase.status, eventAtMs })] };
    }
    case "orders/paid": {
      const parsed = orderBody.safeParse(body);
      if (!parsed.success) return { kind: "malformed", reason: "order id or line_items missing or invalid" };
      const order = parsed.data;
      const hasAddon = order.line_items.some((li) => li.sku && facts.addonSkus.includes(li.sku.trim().toLowerCase()));
      if (!hasAddon) return { kind: "ignore", reason: "no add-on SKU in the order" };
      if (order.financial_status && order.financial_status !== "paid") {
        return { kind: "ignore", reason: `order financial_status is ${order.financial_status}` };
      }
      const emails = orderEmails.parse(body);
      const orderEmail = emails.email ?? emails.contact_email ?? emails.customer?.email;
      if (!orderEmail) return { kind: "ignore", reason: "add-on order has no usable email" };
      return { kind: "jobs", jobs: [job(JOB_KINDS.provisionOrder, { shop, orderId: order.id, email: orderEmail })] };
    }
    case "app/uninstalled":
      return { kind: "jobs", jobs: [job(JOB_KINDS.uninstallShop, { shop, eventAtMs: facts.eventAtMs })] };
    case "customers/data_request":
    case "customers/redact": {
      const parsed = customerBody.safeParse(body);
      if (!parsed.success) return { kind: "malformed", reason: "customer compliance payload invalid" };
      const c = parsed.data;
      const payload = {
        shop,
        customerId: c.customer?.id ?? null,
        email: c.customer?.email?.trim().toLowerCase() || null,
        orderIds: (topic === "customers/redact" ? c.orders_to_redact : c.orders_requested) ?? [],
        receivedAtMs: facts.eventAtMs,
      };
      return { kind: "jobs", jobs: [topic === "customers/redact" ? job(JOB_KINDS.redactCustomer, payload) : job(JOB_KINDS.reportCustomerData, payload)] };
    }
    case "shop/redact":
      return { kind: "jobs", jobs: [job(JOB_KINDS.redactShop, { shop, receivedAtMs: facts.eventAtMs })] };
    default: {
      const unplanned: never = topic;
      throw new Error(`no plan for handled topic ${String(unplanned)}`);
    }
  }
}
