import { webhookInterval } from "../shopify/billing-plan.ts";
import type { SandboxCharge } from "./sandbox-admin.ts";

/** The body of an `app_subscriptions/update` webhook, key for key as Shopify sends it. */
export interface AppSubscriptionsUpdatePayload {
  app_subscription: {
    admin_graphql_api_id: string;
    name: string;
    status: string;
    admin_graphql_api_shop_id: string;
    created_at: string;
    updated_at: string;
    currency: string;
    capped_amount: string | null;
    price: string;
    interval: string;
    plan_handle: string | null;
  };
}

/**
 * Shopify's payload for a charge's current status (reference/shopify.md §4). Times are written
 * as Shopify writes them: ISO 8601 to the second with an offset (`2026-11-27T08:00:00+00:00`).
 * @see https://shopify.dev/docs/api/webhooks?reference=toml#list-of-topics-app_subscriptions/update
 */
export function appSubscriptionsUpdatePayload(charge: SandboxCharge, shopGid: string): AppSubscriptionsUpdatePayload {
  return {
    app_subscription: {
      admin_graphql_api_id: charge.gid,
      name: charge.name,
      status: charge.status,
      admin_graphql_api_shop_id: shopGid,
      created_at: shopifyTimestamp(charge.createdAt),
      updated_at: shopifyTimestamp(charge.updatedAt),
      currency: charge.currency,
      capped_amount: null,
      price: charge.price,
      interval: webhookInterval(charge.interval),
      plan_handle: null,
    },
  };
}

function shopifyTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "+00:00");
}
