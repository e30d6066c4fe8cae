import * as z from "zod";

/*
 * The Admin GraphQL documents the app sends, with variables (never values inlined), and zod
 * schemas for the parts of the replies it relies on.
 * @see https://shopify.dev/docs/api/admin-graphql
 */

export const SHOP_INFO_QUERY = `query ShopInfo {
  shop { email name plan { partnerDevelopment } }
}`;

/** The app installation owns app-data metafields (`metafieldsSet` needs its id as `ownerId`). */
export const APP_INSTALLATION_ID_QUERY = `query AppInstallationId {
  currentAppInstallation { id }
}`;

export const APP_METAFIELD_QUERY = `query AppMetafield($namespace: String!, $key: String!) {
  currentAppInstallation { metafield(namespace: $namespace, key: $key) { value } }
}`;

export const APP_SUBSCRIPTION_CREATE_MUTATION = `mutation AppSubscriptionCreate($name: String!, $returnUrl: URL!, $test: Boolean, $trialDays: Int, $lineItems: [AppSubscriptionLineItemInput!]!) {
  appSubscriptionCreate(name: $name, returnUrl: $returnUrl, test: $test, trialDays: $trialDays, lineItems: $lineItems) {
    appSubscription { id status }
    confirmationUrl
    userErrors { field message }
  }
}`;

/**
 * Shopify's word on the shop's billing for this app: every subscription and one-time purchase,
 * newest first, with its status (ACTIVE, CANCELLED, ...); the 25 newest of each suffice (older
 * ones ended long ago). Billing webhooks are the fast path; this is the truth when one is lost.
 * @see https://shopify.dev/docs/api/admin-graphql/latest/objects/AppInstallation
 */
export const BILLING_STATE_QUERY = `query BillingState {
  currentAppInstallation {
    allSubscriptions(first: 25, reverse: true) { nodes { id name status test trialDays createdAt currentPeriodEnd } }
    oneTimePurchases(first: 25, reverse: true) { nodes { id name status test createdAt } }
  }
}`;

/**
 * A customer's email (needs `read_customers` and protected customer data access);
 * `defaultEmailAddress` since 2025-04, where `email` is deprecated.
 * @see https://shopify.dev/changelog/adding-defaultemailaddress-field-to-customer
 */
export const CUSTOMER_EMAIL_QUERY = `query CustomerEmail($id: ID!) {
  customer(id: $id) { defaultEmailAddress { emailAddress } }
}`;

export const METAFIELDS_SET_MUTATION = `mutation MetafieldsSet($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { id }
    userErrors { field message code }
  }
}`;

export const METAFIELDS_DELETE_MUTATION = `mutation MetafieldsDelete($metafields: [MetafieldIdentifierInput!]!) {
  metafieldsDelete(metafields: $metafields) {
    deletedMetafields { key namespace ownerId }
    userErrors { field message }
  }
}`;

const userErrors = z.array(z.object({ message: z.string() }).loose());

export const shopInfoData = z.object({
  shop: z.object({
    email: z.string().nullish(),
    name: z.string().nullish(),
    plan: z.object({ partnerDevelopment: z.boolean().nullish() }).nullish(),
  }),
});

export const appInstallationIdData = z.object({ currentAppInstallation: z.object({ id: z.string().min(1) }) });

export const appMetafieldData = z.object({
  currentAppInstallation: z.object({ metafield: z.object({ value: z.string() }).nullish() }),
});

export const appSubscriptionCreateData = z.object({
  appSubscriptionCreate: z.object({
    confirmationUrl: z.string().nullish(),
    userErrors,
  }),
});

const billingNode = {
  id: z.string().min(1),
  name: z.string(),
  status: z.string(),
  test: z.boolean().nullish(),
  createdAt: z.string().nullish(),
};
export const billingStateData = z.object({
  currentAppInstallation: z.object({
    allSubscriptions: z.object({
      nodes: z.array(z.object({ ...billingNode, trialDays: z.number().int().nullish(), currentPeriodEnd: z.string().nullish() })),
    }),
    oneTimePurchases: z.object({ nodes: z.array(z.object(billingNode)) }),
  }),
});

export const customerEmailData = z.object({
  customer: z.object({ defaultEmailAddress: z.object({ emailAddress: z.string().nullish() }).nullish() }).nullable(),
});

export const metafieldsSetData = z.object({
  metafieldsSet: z.object({ userErrors }),
});
export const metafieldsDeleteData = z.object({
  metafieldsDelete: z.object({ userErrors }),
});
