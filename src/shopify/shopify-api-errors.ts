import {
  GraphqlQueryError,
  HttpRequestError,
  HttpResponseError,
  HttpThrottlingError,
  InvalidJwtError,
  InvalidShopError,
} from "@shopify/shopify-api";
import {
  ShopifyAdminError,
  ShopifyRequestError,
  ShopifyThrottledError,
  ShopifyUnauthorizedError,
  type ShopifyAdminOperation,
} from "./errors.ts";

/** Token-endpoint `error` codes that mean "this credential is no good", not "we are broken". */
const REJECTED_TOKEN_CODES = new Set(["invalid_subject_token", "invalid_grant"]);
const DEFAULT_RETRY_AFTER_MS = 1000;

/**
 * Maps what `@shopify/shopify-api` throws to our typed errors. The library's own errors are
 * never kept as `cause` when they may quote a token (`InvalidJwtError` quotes the session
 * token; HTTP errors embed reply bodies): we copy status and error code instead.
 */
export function toShopifyAdminError(err: unknown, operation: ShopifyAdminOperation): ShopifyAdminError {
  if (err instanceof ShopifyAdminError) return err;
  if (err instanceof InvalidJwtError) return new ShopifyUnauthorizedError({ operation, reason: "invalid_session_token" });
  if (err instanceof InvalidShopError) return new ShopifyAdminError(`Shopify ${operation}: invalid shop domain`, { operation });
  if (err instanceof HttpThrottlingError) {
    const retryAfterS = err.response.retryAfter;
    const retryAfterMs = retryAfterS !== undefined && Number.isFinite(retryAfterS) && retryAfterS >= 0
      ? Math.ceil(retryAfterS * 1000)
      : DEFAULT_RETRY_AFTER_MS;
    return new ShopifyThrottledError({ operation, retryAfterMs });
  }
  if (err instanceof HttpResponseError) {
    const status = err.response.code;
    const code = oauthErrorCode(err.response.body);
    if (status === 401 || status === 403) return new ShopifyUnauthorizedError({ operation, reason: code ?? `http_${status}`, status });
    if (code !== undefined && REJECTED_TOKEN_CODES.has(code)) return new ShopifyUnauthorizedError({ operation, reason: code, status });
    return new ShopifyRequestError({ operation, status, code });
  }
  if (err instanceof GraphqlQueryError) return fromGraphqlErrors(err, operation);
  if (err instanceof HttpRequestError) return new ShopifyRequestError({ operation, status: null, detail: "network error", cause: err });
  // The library reads token-endpoint error replies with `response.json()`: an HTML error page
  // surfaces as a SyntaxError with no status.
  if (err instanceof SyntaxError) return new ShopifyRequestError({ operation, status: null, code: "unreadable_reply" });
  return new ShopifyRequestError({ operation, status: null, detail: "unexpected failure", cause: err });
}

function oauthErrorCode(body: unknown): string | undefined {
  if (body && typeof body === "object" && "error" in body && typeof body.error === "string") return body.error;
  return undefined;
}

interface GraphqlErrorEntry {
  message?: unknown;
  extensions?: { code?: unknown };
}

/** GraphQL errors on HTTP 200: `THROTTLED` (cost limit) becomes a throttle with a wait. */
function fromGraphqlErrors(err: GraphqlQueryError, operation: ShopifyAdminOperation): ShopifyAdminError {
  const body = err.body ?? {};
  const entries: GraphqlErrorEntry[] = Array.isArray(body.errors?.graphQLErrors) ? body.errors.graphQLErrors : [];
  const code = entries.map((e) => e.extensions?.code).find((c): c is string => typeof c === "string");
  if (code === "THROTTLED") return new ShopifyThrottledError({ operation, retryAfterMs: throttleWaitMs(body.extensions) });
  // ACCESS_DENIED is a missing scope, not a rejected token: a new token would not help.
  const message = entries.map((e) => e.message).find((m): m is string => typeof m === "string");
  return new ShopifyRequestError({ operation, status: 200, code: code ?? "graphql_error", detail: message?.slice(0, 200) ?? "" });
}

/** Time until the leaky bucket holds the requested cost again: (needed − available) / restoreRate. */
function throttleWaitMs(extensions: unknown): number {
  const cost = (extensions as { cost?: { requestedQueryCost?: unknown; throttleStatus?: Record<string, unknown> } } | undefined)?.cost;
  const requested = cost?.requestedQueryCost;
  const available = cost?.throttleStatus?.currentlyAvailable;
  const rate = cost?.throttleStatus?.restoreRate;
  if (typeof requested !== "number" || typeof available !== "number" || typeof rate !== "number" || rate <= 0) {
    return DEFAULT_RETRY_AFTER_MS;
  }
  return Math.max(DEFAULT_RETRY_AFTER_MS, Math.ceil(((requested - available) / rate) * 1000));
}
