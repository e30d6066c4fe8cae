import "@shopify/shopify-api/adapters/web-api";
import { ApiVersion, LogSeverity, RequestedTokenType, Session, shopifyApi } from "@shopify/shopify-api";
import type { z } from "zod";
import type { Logger } from "../logger.ts";
import {
  APP_INSTALLATION_ID_QUERY,
  APP_METAFIELD_QUERY,
  APP_SUBSCRIPTION_CREATE_MUTATION,
  METAFIELDS_DELETE_MUTATION,
  METAFIELDS_SET_MUTATION,
  SHOP_INFO_QUERY,
  appInstallationIdData,
  appMetafieldData,
  appSubscriptionCreateData,
  metafieldsDeleteData,
  metafieldsSetData,
  shopInfoData,
} from "./admin-graphql.ts";
import type { SHOPIFY_API_VERSION } from "./api-version.ts";
import { BILLING_PLAN } from "./billing-plan.ts";
import { ShopifyRequestError, ShopifyUserError, type ShopifyAdminOperation } from "./errors.ts";
import { offlineSessionId, type OfflineSession } from "./offline-session.ts";
import type { ShopifyAdmin } from "./shopify-admin.ts";
import { toShopifyAdminError } from "./shopify-api-errors.ts";
import { scrubLibraryLogMessage } from "./scrub-log-message.ts";

// Fails to compile if api-version.ts drifts from the library's enum member we pass.
const LIBRARY_API_VERSION: typeof SHOPIFY_API_VERSION = ApiVersion.October26;

export interface ShopifyApiAdminOptions {
  apiKey: string;
  apiSecret: string;
  /** The app's public URL; its host and scheme configure the library. */
  appUrl: string;
  logger: Logger;
}

/**
 * The real `ShopifyAdmin`, on `@shopify/shopify-api` 15 with its web-api adapter. HTTP goes
 * through the library's fetch (Node's global `fetch`, hence undici's global dispatcher), which
 * is why this factory takes no `fetch`: tests intercept with undici `MockAgent` instead.
 */
export function createShopifyApiAdmin(options: ShopifyApiAdminOptions): ShopifyAdmin {
  const appUrl = new URL(options.appUrl);
  const log = options.logger.child({ scope: "shopify-api" });
  const api = shopifyApi({
    apiKey: options.apiKey,
    apiSecretKey: options.apiSecret,
    hostName: appUrl.host,
    hostScheme: appUrl.protocol === "http:" ? "http" : "https",
    apiVersion: LIBRARY_API_VERSION as ApiVersion,
    isEmbeddedApp: true,
    logger: {
      level: LogSeverity.Warning,
      httpRequests: false,
      log: (severity, message) =>
        log.debug({ severity: LogSeverity[severity] }, scrubLibraryLogMessage(message, [options.apiSecret])),
    },
  });

  async function graphql<S extends z.ZodType>(
    operation: ShopifyAdminOperation,
    session: OfflineSession,
    query: string,
    schema: S,
    variables?: Record<string, unknown>,
  ): Promise<z.infer<S>> {
    const client = new api.clients.Graphql({ session: toLibrarySession(session) });
    let data: unknown;
    try {
      ({ data } = await client.request(query, variables === undefined ? {} : { variables }));
    } catch (err) {
      throw toShopifyAdminError(err, operation);
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw new ShopifyRequestError({ operation, status: 200, code: "unexpected_reply" });
    return parsed.data;
  }

  return {
    async exchangeToken(shop, sessionToken) {
      try {
        const { session } = await api.auth.tokenExchange({
          shop,
          sessionToken,
          requestedTokenType: RequestedTokenType.OfflineAccessToken,
          expiring: true,
        });
        return fromLibrarySession(session);
      } catch (err) {
        throw toShopifyAdminError(err, "exchangeToken");
      }
    },

    async refreshToken(shop, refreshToken) {
      try {
        const { session } = await api.auth.refreshToken({ shop, refreshToken });
        return fromLibrarySession(session);
      } catch (err) {
        throw toShopifyAdminError(err, "refreshToken");
      }
    },

    async fetchShopInfo(session) {
      const { shop } = await graphql("fetchShopInfo", session, SHOP_INFO_QUERY, shopInfoData);
      return { email: shop.email ?? null, name: shop.name ?? null, isDevelopmentStore: shop.plan?.partnerDevelopment === true };
    },

    async createSubscription(session, { returnUrl, test }) {
      const operation = "createSubscription";
      const { appSubscriptionCreate: result } = await graphql(operation, session, APP_SUBSCRIPTION_CREATE_MUTATION, appSubscriptionCreateData, {
        name: BILLING_PLAN.name,
        returnUrl,
        test,
        lineItems: [{
          plan: {
            appRecurringPricingDetails: {
              price: { amount: BILLING_PLAN.amount, currencyCode: BILLING_PLAN.currencyCode },
              interval: BILLING_PLAN.interval,
            },
          },
        }],
      });
      if (result.userErrors.length > 0) throw new ShopifyUserError({ operation, messages: result.userErrors.map((e) => e.message) });
      if (!result.confirmationUrl) throw new ShopifyRequestError({ operation, status: 200, code: "missing_confirmation_url" });
      return { confirmationUrl: result.confirmationUrl };
    },

    async setAppMetafield(session, input) {
      const operation = "setAppMetafield";
      // Not cached: a reinstall creates a new installation with a new id.
      const { currentAppInstallation: installation } = await graphql(operation, session, APP_INSTALLATION_ID_QUERY, appInstallationIdData);
      const { metafieldsSet } = await graphql(operation, session, METAFIELDS_SET_MUTATION, metafieldsSetData, {
        metafields: [{ ownerId: installation.id, namespace: input.namespace, key: input.key, type: input.type, value: input.value }],
      });
      if (metafieldsSet.userErrors.length > 0) {
        throw new ShopifyUserError({ operation, messages: metafieldsSet.userErrors.map((e) => e.message) });
      }
    },

    async deleteAppMetafield(session, namespace, key) {
      const operation = "deleteAppMetafield";
      const { currentAppInstallation: installation } = await graphql(operation, session, APP_INSTALLATION_ID_QUERY, appInstallationIdData);
      const { metafieldsDelete } = await graphql(operation, session, METAFIELDS_DELETE_MUTATION, metafieldsDeleteData, {
        metafields: [{ ownerId: installation.id, namespace, key }],
      });
      if (metafieldsDelete.userErrors.length > 0) {
        throw new ShopifyUserError({ operation, messages: metafieldsDelete.userErrors.map((e) => e.message) });
      }
    },

    async getAppMetafield(session, namespace, key) {
      const { currentAppInstallation } = await graphql("getAppMetafield", session, APP_METAFIELD_QUERY, appMetafieldData, { namespace, key });
      return currentAppInstallation.metafield?.value ?? null;
    },
  };
}

function toLibrarySession(session: OfflineSession): Session {
  return new Session({
    id: offlineSessionId(session.shop),
    shop: session.shop,
    state: "",
    isOnline: false,
    accessToken: session.accessToken,
    ...(session.scope === undefined ? {} : { scope: session.scope }),
  });
}

function fromLibrarySession(session: Session): OfflineSession {
  if (!session.accessToken) throw new ShopifyRequestError({ operation: "exchangeToken", status: 200, code: "missing_access_token" });
  return {
    id: offlineSessionId(session.shop),
    shop: session.shop,
    scope: session.scope,
    accessToken: session.accessToken,
    expiresAt: session.expires,
    refreshToken: session.refreshToken,
    refreshTokenExpiresAt: session.refreshTokenExpires,
  };
}
