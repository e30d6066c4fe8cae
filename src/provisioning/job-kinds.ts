import * as z from "zod";
import type { MappingSource } from "../db/schema.ts";
import type { JobQueue, PayloadSchemas, PlannedJob } from "../queue/job-queue.ts";

/** Every job kind and the payload it carries; the worker's handler map is keyed by these. */
export const JOB_KINDS = {
  activateShop: "activate-shop",
  deactivateShop: "deactivate-shop",
  provisionOrder: "provision-order",
  provisionAccount: "provision-account",
  uninstallShop: "uninstall-shop",
  reportCustomerData: "report-customer-data",
  redactCustomer: "redact-customer",
  redactShop: "redact-shop",
  reconcileBilling: "reconcile-billing",
  withdrawTracking: "withdraw-tracking",
  recordScopes: "record-scopes",
} as const;

export interface CustomerCompliancePayload {
  shop: string;
  customerId: string | null;
  email: string | null;
  orderIds: string[];
  receivedAtMs: number;
}

/**
 * When a billing object's status changed: its `updated_at` (`eventAtMs`, to the second), then
 * X-Shopify-Triggered-At, then our arrival time order events of the same second. The last two
 * are absent in jobs queued before they were kept.
 */
export interface BillingEventOrder {
  eventAtMs: number;
  triggeredAtMs?: number;
  receivedAtMs?: number;
}

export interface JobPayloads {
  "activate-shop": { shop: string; source: Exclude<MappingSource, "order">; sourceRef: string; status: string } & BillingEventOrder;
  /** `source` is absent in jobs queued before it was kept (they were all subscriptions). */
  "deactivate-shop": { shop: string; source?: Exclude<MappingSource, "order">; reason: string; sourceRef: string } & BillingEventOrder;
  /** `customerId`: the buyer's Shopify customer id (absent in jobs queued before it was kept). */
  "provision-order": { shop: string; orderId: string; email: string; customerId?: string | null };
  "provision-account": { email: string };
  /** `receivedAtMs`: when this app received the webhook (its own clock); absent on jobs queued before it was added. */
  "uninstall-shop": { shop: string; eventAtMs: number; receivedAtMs?: number };
  "report-customer-data": CustomerCompliancePayload;
  "redact-customer": CustomerCompliancePayload;
  "redact-shop": { shop: string; receivedAtMs: number };
  /** Ask Shopify for the shop's subscriptions and purchases, and apply what disagrees with ours. */
  "reconcile-billing": { shop: string; why: "page" | "return" | "sweep" };
  /** Access ended: take the site ID off the storefront (it is offered back on the page). */
  "withdraw-tracking": { shop: string };
  "record-scopes": { shop: string; scopes: string[] };
}

/** One provisioning per email at a time: the queue never runs two jobs with this key at once. */
export const provisionAccountKey = (email: string) => `provision-account:${email}`;
/** One billing check per shop at a time (and at most one waiting). */
export const reconcileBillingKey = (shop: string) => `reconcile-billing:${shop}`;

/** A job of any kind as a webhook (or a billing check) plans it: kind and payload typed together. */
export type AppJob = PlannedJob<JobPayloads>;
export type AppJobQueue = JobQueue<JobPayloads>;

const shop = z.string().min(1).max(255);
const billingOrder = { eventAtMs: z.number(), triggeredAtMs: z.number().optional(), receivedAtMs: z.number().optional() };
const billingSource = z.enum(["subscription", "purchase"]);
const customerCompliance = z.object({
  shop, customerId: z.string().nullable(), email: z.string().nullable(), orderIds: z.array(z.string()), receivedAtMs: z.number(),
});

/**
 * Each kind's payload as zod checks it when its job is claimed: a job stored by an older
 * version, or written by hand, that does not match fails for good with the reason, instead of
 * running on a payload its handler was not written for.
 */
export const JOB_PAYLOAD_SCHEMAS = {
  "activate-shop": z.object({ shop, source: billingSource, sourceRef: z.string(), status: z.string(), ...billingOrder }),
  "deactivate-shop": z.object({ shop, source: billingSource.optional(), reason: z.string(), sourceRef: z.string(), ...billingOrder }),
  "provision-order": z.object({ shop, orderId: z.string(), email: z.string().min(3), customerId: z.string().nullish() }),
  "provision-account": z.object({ email: z.string().min(3) }),
  "uninstall-shop": z.object({ shop, eventAtMs: z.number(), receivedAtMs: z.number().optional() }),
  "report-customer-data": customerCompliance,
  "redact-customer": customerCompliance,
  "redact-shop": z.object({ shop, receivedAtMs: z.number() }),
  "reconcile-billing": z.object({ shop, why: z.enum(["page", "return", "sweep"]) }),
  "withdraw-tracking": z.object({ shop }),
  "record-scopes": z.object({ shop, scopes: z.array(z.string()) }),
} satisfies PayloadSchemas<JobPayloads>;
