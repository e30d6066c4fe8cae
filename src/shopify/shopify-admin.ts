import type { BillingPlan } from "./billing-plan.ts";
import type { OfflineSession } from "./offline-session.ts";

export type { OfflineSession };

/** What the app needs to know about a shop, from the Admin GraphQL `shop` object. */
export interface ShopInfo {
  /** The owner's account email (`shop.email`), as Shopify returns it (not lower-cased). */
  email: string | null;
  name: string | null;
  /** `shop.plan.partnerDevelopment`: charges on such stores must be `test: true`. */
  isDevelopmentStore: boolean;
}

export interface CreateSubscriptionOptions {
  plan: Omit<BillingPlan, "test">;
  /** Where Shopify sends the merchant after approving. */
  returnUrl: string;
  /** A test charge (`BILLING_TEST`, development stores); never hard-code `true` for real merchants. */
  test: boolean;
}

/** A subscription or one-time purchase of this app on a shop, as Shopify reports it now. */
export interface BillingObject {
  /** The AppSubscription or AppPurchaseOneTime gid (what webhooks call `admin_graphql_api_id`). */
  id: string;
  source: "subscription" | "purchase";
  name: string;
  /** AppSubscriptionStatus / AppPurchaseStatus, e.g. `ACTIVE`, `CANCELLED`. */
  status: string;
  test: boolean;
  createdAt: Date | null;
  /** Subscriptions only: free trial days, and when the current period ends (null unless active). */
  trialDays: number | null;
  currentPeriodEnd: Date | null;
}

/** Options of an Admin API call; every call also times out on its own (`ADMIN_CALL_TIMEOUT_MS`). */
export interface AdminCallOptions {
  signal?: AbortSignal;
}

export interface AppMetafieldInput {
  namespace: string;
  key: string;
  /** A metafield type such as `single_line_text_field` or `json`. */
  type: string;
  value: string;
}

/**
 * The Admin API calls this app makes, behind one interface so the real adapter
 * (`shopify-api-admin.ts`) and the sandbox shop (`sandbox/sandbox-admin.ts`) are swappable.
 * Failures are `ShopifyAdminError`s (`errors.ts`).
 */
export interface ShopifyAdmin {
  /** Token exchange for an expiring offline token (`expiring: "1"`). */
  exchangeToken(shop: string, sessionToken: string): Promise<OfflineSession>;
  /** `grant_type=refresh_token`; the reply carries a rotated refresh token: store both. */
  refreshToken(shop: string, refreshToken: string): Promise<OfflineSession>;
  /** `shop { email name plan { partnerDevelopment } }`. */
  fetchShopInfo(session: OfflineSession, options?: AdminCallOptions): Promise<ShopInfo>;
  /** The app's subscriptions and one-time purchases on the shop, newest first (`currentAppInstallation`). */
  fetchBillingState(session: OfflineSession, options?: AdminCallOptions): Promise<BillingObject[]>;
  /** A customer's email (`customer(id:) { defaultEmailAddress }`; needs `read_customers`), or null when unknown. */
  fetchCustomerEmail(session: OfflineSession, customerId: string, options?: AdminCallOptions): Promise<string | null>;
  /** `appSubscriptionCreate` for the plan (one recurring line item). */
  createSubscription(session: OfflineSession, subscription: CreateSubscriptionOptions, options?: AdminCallOptions): Promise<{ confirmationUrl: string }>;
  /**
   * An app-data metafield: `metafieldsSet` with the app installation (`currentAppInstallation { id }`)
   * as owner. Only this app can read or write it; the app's theme app extension reads it in Liquid
   * as `app.metafields.<namespace>.<key>`; it goes away when the app is uninstalled.
   */
  setAppMetafield(session: OfflineSession, input: AppMetafieldInput, options?: AdminCallOptions): Promise<void>;
  /** Deletes the app-data metafield (`metafieldsDelete`); deleting one that does not exist succeeds. */
  deleteAppMetafield(session: OfflineSession, namespace: string, key: string, options?: AdminCallOptions): Promise<void>;
  /** The app-data metafield's value, or `null` when it does not exist. */
  getAppMetafield(session: OfflineSession, namespace: string, key: string, options?: AdminCallOptions): Promise<string | null>;
}
