import type { MappingSource } from "../db/schema.ts";

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
} as const;

export interface CustomerCompliancePayload {
  shop: string;
  customerId: string | null;
  email: string | null;
  orderIds: string[];
  receivedAtMs: number;
}

export interface JobPayloads {
  "activate-shop": { shop: string; source: Exclude<MappingSource, "order">; sourceRef: string; status: string; eventAtMs: number };
  "deactivate-shop": { shop: string; reason: string; sourceRef: string; eventAtMs: number };
  /** `customerId`: the buyer's Shopify customer id (absent in jobs queued before it was kept). */
  "provision-order": { shop: string; orderId: string; email: string; customerId?: string | null };
  "provision-account": { email: string };
  "uninstall-shop": { shop: string; eventAtMs: number };
  "report-customer-data": CustomerCompliancePayload;
  "redact-customer": CustomerCompliancePayload;
  "redact-shop": { shop: string; receivedAtMs: number };
}

/** One provisioning per email at a time: the queue never runs two jobs with this key at once. */
export const provisionAccountKey = (email: string) => `provision-account:${email}`;
