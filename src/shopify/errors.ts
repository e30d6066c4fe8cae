/** What the app asked Shopify for; carried by every `ShopifyAdminError` for logs. */
export const SHOPIFY_ADMIN_OPERATIONS = [
  "exchangeToken",
  "refreshToken",
  "fetchShopInfo",
  "fetchBillingState",
  "fetchCustomerEmail",
  "createSubscription",
  "setAppMetafield",
  "deleteAppMetafield",
  "getAppMetafield",
] as const;
export type ShopifyAdminOperation = (typeof SHOPIFY_ADMIN_OPERATIONS)[number];

interface ShopifyAdminErrorOptions {
  operation: ShopifyAdminOperation;
  cause?: unknown;
}

/**
 * Base of every Admin API failure. Messages and causes never carry access, refresh or session
 * tokens, nor the app secret: they hold the operation, HTTP status and Shopify's error code.
 */
export class ShopifyAdminError extends Error {
  readonly operation: ShopifyAdminOperation;

  constructor(message: string, options: ShopifyAdminErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ShopifyAdminError";
    this.operation = options.operation;
  }
}

/**
 * Shopify refused the credentials: HTTP 401/403, or the token endpoint's `invalid_subject_token`
 * (expired or reused session token) / `invalid_grant` (refresh token revoked or expired).
 * The stored session is useless; a fresh session token must be exchanged.
 */
export class ShopifyUnauthorizedError extends ShopifyAdminError {
  /** Shopify's OAuth `error` code, or `http_<status>`, or our own reason for a local refusal. */
  readonly reason: string;
  readonly status: number | undefined;

  constructor(options: ShopifyAdminErrorOptions & { reason: string; status?: number | undefined }) {
    super(`Shopify ${options.operation} was refused: ${options.reason}`, options);
    this.name = "ShopifyUnauthorizedError";
    this.reason = options.reason;
    this.status = options.status;
  }
}

/** HTTP 429 or a GraphQL `THROTTLED` error; try again after `retryAfterMs`. */
export class ShopifyThrottledError extends ShopifyAdminError {
  readonly retryAfterMs: number;

  constructor(options: ShopifyAdminErrorOptions & { retryAfterMs: number }) {
    super(`Shopify ${options.operation} was throttled; retry after ${options.retryAfterMs} ms`, options);
    this.name = "ShopifyThrottledError";
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * Any other failed request. `status` is the HTTP status, `200` for GraphQL-level errors, or
 * `null` when no usable reply arrived (network failure, unreadable body).
 */
export class ShopifyRequestError extends ShopifyAdminError {
  readonly status: number | null;
  /** Shopify's `error` code or first GraphQL error code, when there is one. */
  readonly code: string | undefined;

  constructor(options: ShopifyAdminErrorOptions & { status: number | null; code?: string | undefined; detail?: string }) {
    const status = options.status === null ? "no response" : `HTTP ${options.status}`;
    const code = options.code === undefined ? "" : ` (${options.code})`;
    const detail = options.detail === undefined ? "" : `: ${options.detail}`;
    super(`Shopify ${options.operation} failed with ${status}${code}${detail}`, options);
    this.name = "ShopifyRequestError";
    this.status = options.status;
    this.code = options.code;
  }
}

/** A mutation answered with `userErrors` (e.g. an invalid return URL). */
export class ShopifyUserError extends ShopifyAdminError {
  readonly messages: readonly string[];

  constructor(options: ShopifyAdminErrorOptions & { messages: string[] }) {
    super(`Shopify ${options.operation} returned user errors: ${options.messages.join("; ")}`, options);
    this.name = "ShopifyUserError";
    this.messages = options.messages;
  }
}

/** No offline session is stored for the shop: it must open the app once (token exchange). */
export class ShopNotInstalledError extends Error {
  readonly shop: string;

  constructor(shop: string) {
    super(`No offline session for ${shop}: the app has not been opened since install`);
    this.name = "ShopNotInstalledError";
    this.shop = shop;
  }
}

/** A stored token could not be decrypted: wrong key, or the ciphertext was altered. */
export class TokenDecryptionError extends Error {
  constructor(detail: string) {
    super(`Stored token could not be decrypted: ${detail}`);
    this.name = "TokenDecryptionError";
  }
}
