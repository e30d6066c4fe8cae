/** `AppPricingInterval` of the Admin API (https://shopify.dev/docs/api/admin-graphql/latest/enums/AppPricingInterval). */
export const BILLING_INTERVALS = ["EVERY_30_DAYS", "ANNUAL"] as const;
export type BillingInterval = (typeof BILLING_INTERVALS)[number];

/**
 * The one add-on this app sells through the Shopify Billing API (manual pricing): a recurring
 * charge the merchant approves on Shopify's confirmation page. Set by the reseller
 * (`BILLING_*`); only a subscription with this exact name grants heatmaps, so a second plan
 * added later cannot grant them by accident.
 * @see https://shopify.dev/docs/api/admin-graphql/latest/mutations/appSubscriptionCreate
 */
export interface BillingPlan {
  /** Shown on the confirmation page and sent back as `name` in `app_subscriptions/update`. */
  name: string;
  /** Decimal amount per interval, at most two decimals; sent as a number like `shopify-api`'s billing helper does. */
  amount: number;
  /** ISO 4217, e.g. `USD`. */
  currencyCode: string;
  interval: BillingInterval;
  /** Free days before the first charge (`trialDays`). */
  trialDays: number;
  /** Create test charges (nothing is paid); development stores always get them. */
  test: boolean;
}

/** The interval as webhook payloads write it (`every_30_days`, `annual`). */
export function webhookInterval(interval: BillingInterval): string {
  return interval.toLowerCase();
}

/** `$9.99 every 30 days`, `€90.00 a year`: how the plan reads in the page and the sandbox confirmation. */
export function describeBillingPlan(plan: Pick<BillingPlan, "amount" | "currencyCode" | "interval">, locale = "en-US"): string {
  const price = new Intl.NumberFormat(locale, { style: "currency", currency: plan.currencyCode }).format(plan.amount);
  return `${price} ${plan.interval === "ANNUAL" ? "a year" : "every 30 days"}`;
}
