/**
 * The Admin API version this app speaks, everywhere: the Shopify library client, the sandbox's
 * `X-Shopify-API-Version` header and `shopify.app.toml` (`[webhooks] api_version`).
 * The newest stable version in `@shopify/shopify-api` 15 (`ApiVersion.October26`).
 * @see https://shopify.dev/docs/api/usage/versioning
 */
export const SHOPIFY_API_VERSION = "2026-10";
