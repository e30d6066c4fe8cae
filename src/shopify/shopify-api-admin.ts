import "@shopify/shopify-api/adapters/web-api";
import { ApiVersion, LogSeverity, RequestedTokenType, Session, shopifyApi } from "@shopify/shopify-api";
import type * as z from "zod";
import type { Logger } from "../logger.ts";
import {
  APP_INSTALLATION_ID_QUERY,
  BILLING_STATE_QUERY,
  CUSTOMER_EMAIL_QUERY,
  APP_METAFIELD_QUERY,
  APP_SUBSCRIPTION_CREATE_MUTATION,
  METAFIELDS_DELETE_MUTATION,
  METAFIELDS_SET_MUTATION,
  SHOP_INFO_QUERY,
  appInstallationIdData,
  appMetafieldData,
  appSubscriptionCreateData,
  billingStateData,
  customerEmailData,
  metafieldsDeleteData,
  metafieldsSetData,
  shopInfoData,
} from "./admin-graphql.ts";
import type { SHOPIFY_API_VERSION } from "./api-version.ts";
import { ShopifyRequestError, ShopifyUserError, type ShopifyAdminOperation } from "./errors.ts";
import { offlineSessionId, type OfflineSession } from "./offline-session.ts";
import type { AdminCallOptions, BillingObject, ShopifyAdmin } from "./shopify-admin.ts";
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
  /** Every Admin API call gives up after this long. @default ADMIN_CALL_TIMEOUT_MS */
  timeoutMs?: number;
}

/** How long one Admin API call may take (Shopify answers in well under a second; jobs hold a 60 s lease). */
export const ADMIN_CALL_TIMEOUT_MS = 10_000;

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

  const timeoutMs = options.timeoutMs ?? ADMIN_CALL_TIMEOUT_MS;

  async function graphql<S extends z.ZodType>(
    operation: ShopifyAdminOperation,
    session: OfflineSession,
    query: string,
    schema: S,
    variables?: Record<string, unknown>,
    callOptions?: AdminCallOptions,
  ): Promise<z.infer<S>> {
    const client = new api.clients.Graphql({ session: toLibrarySession(session) });
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = callOptions?.signal ? AbortSignal.any([callOptions.signal, timeout]) : timeout;
    let data: unknown;
    try {
      ({ data } = await client.request(query, { ...(variables === undefined ? {} : { variables }), signal }));
    } catch (err) {
      if (callOptions?.signal?.aborted) throw callOptions.signal.reason;
      if (timeout.aborted) throw new ShopifyRequestError({ operation, status: null, code: "timeout", detail: `no answer within ${timeoutMs} ms` });
      throw toShopifyAdminError(err, operation);
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw new ShopifyRequestError({ operation, status: 200, code: "unexpected_reply" });
    return parsed.data;
  }

  return {
    async exchangeToken(shop, sessionToken) {
      try {
        const { session } = await withinTimeout("exchangeToken", timeoutMs, api.auth.tokenExchange({
          shop,
          sessionToken,
          requestedTokenType: RequestedTokenType.OfflineAccessToken,
          expiring: true,
        }));
        return fromLibrarySession(session);
      } catch (err) {
        throw toShopifyAdminError(err, "exchangeToken");
      }
    },

    async refreshToken(shop, refreshToken) {
      try {
        const { session } = await withinTimeout("refreshToken", timeoutMs, api.auth.refreshToken({ shop, refreshToken }));
        return fromLibrarySession(session);
      } catch (err) {
        throw toShopifyAdminError(err, "refreshToken");
      }
    },

    async fetchShopInfo(session, callOptions) {
      const { shop } = await graphql("fetchShopInfo", session, SHOP_INFO_QUERY, shopInfoData, undefined, callOptions);
      return { email: shop.email ?? null, name: shop.name ?? null, isDevelopmentStore: shop.plan?.partnerDevelopment === true };
    },

    async fetchBillingState(session, callOptions) {
      const { currentAppInstallation: i } = await graphql("fetchBillingState", session, BILLING_STATE_QUERY, billingStateData, undefined, callOptions);
      const date = (value: string | null | undefined) => (value ? new Date(value) : null);
      return [
        ...i.allSubscriptions.nodes.map((n): BillingObject => ({
          id: n.id, source: "subscription", name: n.name, status: n.status, test: n.test === true, createdAt: date(n.createdAt),
          trialDays: n.trialDays ?? null, currentPeriodEnd: date(n.currentPeriodEnd),
        })),
        ...i.oneTimePurchases.nodes.map((n): BillingObject => ({
          id: n.id, source: "purchase", name: n.name, status: n.status, test: n.test === true, createdAt: date(n.createdAt), trialDays: null, currentPeriodEnd: null,
        })),
      ];
    },

    async fetchCustomerEmail(session, customerId, callOptions) {
      const { customer } = await graphql("fetchCustomerEmail", session, CUSTOMER_EMAIL_QUERY, customerEmailData, { id: `gid://shopify/Customer/${customerId}` }, callOptions);
      return customer?.defaultEmailAddress?.emailAddress?.trim().toLowerCase() || null;
    },

    async createSubscription(session, { plan, returnUrl, test }, callOptions) {
      const operation = "createSubscription";
      const { appSubscriptionCreate: result } = await graphql(operation, session, APP_SUBSCRIPTION_CREATE_MUTATION, appSubscriptionCreateData, {
        name: plan.name,
        returnUrl,
        test,
        trialDays: plan.trialDays,
        lineItems: [{
          plan: {
            appRecurringPricingDetails: {
              price: { amount: plan.amount, currencyCode: plan.currencyCode },
              interval: plan.interval,
            },
          },
        }],
      }, callOptions);
      if (result.userErrors.length > 0) throw new ShopifyUserError({ operation, messages: result.userErrors.map((e) => e.message) });
      if (!result.confirmationUrl) throw new ShopifyRequestError({ operation, status: 200, code: "missing_confirmation_url" });
      return { confirmationUrl: result.confirmationUrl };
    },

    async setAppMetafield(session, input, callOptions) {
      const operation = "setAppMetafield";
      // Not cached: a reinstall creates a new installation with a new id.
      const { currentAppInstallation: installation } = await graphql(operation, session, APP_INSTALLATION_ID_QUERY, appInstallationIdData, undefined, callOptions);
      const { metafieldsSet } = await graphql(operation, session, METAFIELDS_SET_MUTATION, metafieldsSetData, {
        metafields: [{ ownerId: installation.id, namespace: input.namespace, key: input.key, type: input.type, value: input.value }],
      }, callOptions);
      if (metafieldsSet.userErrors.length > 0) {
        throw new ShopifyUserError({ operation, messages: metafieldsSet.userErrors.map((e) => e.message) });
      }
    },

    async deleteAppMetafield(session, namespace, key, callOptions) {
      const operation = "deleteAppMetafield";
      const { currentAppInstallation: installation } = await graphql(operation, session, APP_INSTALLATION_ID_QUERY, appInstallationIdData, undefined, callOptions);
      const { metafieldsDelete } = await graphql(operation, session, METAFIELDS_DELETE_MUTATION, metafieldsDeleteData, {
        metafields: [{ ownerId: installation.id, namespace, key }],
      }, callOptions);
      if (metafieldsDelete.userErrors.length > 0) {
        throw new ShopifyUserError({ operation, messages: metafieldsDelete.userErrors.map((e) => e.message) });
      }
    },

    async getAppMetafield(session, namespace, key, callOptions) {
      const { currentAppInstallation } = await graphql("getAppMetafield", session, APP_METAFIELD_QUERY, appMetafieldData, { namespace, key }, callOptions);
      return currentAppInstallation.metafield?.value ?? null;
    },
  };
}

/**
 * The token endpoint calls of `@shopify/shopify-api` take no AbortSignal (auth/oauth/token-exchange
 * and refresh-token build their own fetch), so their time is bounded here instead; the request
 * itself may finish unseen, which for a token exchange or refresh only leaves a token unused.
 */
function withinTimeout<T>(operation: ShopifyAdminOperation, timeoutMs: number, call: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ShopifyRequestError({ operation, status: null, code: "timeout", detail: `no answer within ${timeoutMs} ms` })), timeoutMs);
  });
  return Promise.race([call, timedOut]).finally(() => clearTimeout(timer));
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
