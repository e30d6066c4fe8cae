/**
 * Shopify's AppSubscriptionStatus and AppPurchaseStatus values
 * (https://shopify.dev/docs/api/admin-graphql/latest/enums/AppSubscriptionStatus, .../AppPurchaseStatus).
 * ACCEPTED is deprecated but may still be sent.
 */
export const SUBSCRIPTION_STATUSES = new Set(["ACTIVE", "PENDING", "ACCEPTED", "CANCELLED", "DECLINED", "EXPIRED", "FROZEN"]);
export const PURCHASE_STATUSES = new Set(["ACTIVE", "PENDING", "ACCEPTED", "DECLINED", "EXPIRED"]);

/** The statuses that end what the object granted. */
export const ENDED_STATUSES = new Set(["CANCELLED", "DECLINED", "EXPIRED", "FROZEN"]);
