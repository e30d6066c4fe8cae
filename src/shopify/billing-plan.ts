/**
 * The one add-on this app sells through the Shopify Billing API (manual pricing): a recurring
 * charge, approved by the merchant on Shopify's confirmation page.
 * @see https://shopify.dev/docs/api/admin-graphql/latest/mutations/appSubscriptionCreate
 */
export const BILLING_PLAN = {
  /** Shown to the merchant on the confirmation page and sent back in `app_subscriptions/update`. */
  name: "MouseStats Heatmaps",
  /** Decimal amount per interval; sent as a number like `shopify-api`'s billing helper does. */
  amount: 9.99,
  currencyCode: "USD",
  /** `AppPricingInterval` of the Admin API. */
  interval: "EVERY_30_DAYS",
  /** The same interval as written in webhook payloads. */
  webhookInterval: "every_30_days",
  intervalDays: 30,
} as const;

/** `$9.99/30 days`: how the plan reads in the page and the sandbox confirmation. */
export function describeBillingPlan(): string {
  return `$${BILLING_PLAN.amount.toFixed(2)}/${BILLING_PLAN.intervalDays} days`;
}
