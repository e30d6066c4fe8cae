import { z } from "zod";

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

export const APP_SUBSCRIPTION_CREATE_MUTATION = `mutation AppSubscriptionCreate($name: String!, $returnUrl: URL!, $test: Boolean, $lineItems: [AppSubscriptionLineItemInput!]!) {
  appSubscriptionCreate(name: $name, returnUrl: $returnUrl, test: $test, lineItems: $lineItems) {
    appSubscription { id status }
    confirmationUrl
    userErrors { field message }
  }
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

export const metafieldsSetData = z.object({
  metafieldsSet: z.object({ userErrors }),
});
export const metafieldsDeleteData = z.object({
  metafieldsDelete: z.object({ userErrors }),
});
