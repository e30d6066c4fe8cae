/**
 * A shop's permanent domain: one lower-case label of letters, digits and hyphens (not starting
 * with a hyphen), then `.myshopify.com`, and nothing else.
 */
const SHOP_DOMAIN_PATTERN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;
const SHOP_DOMAIN_SUFFIX = ".myshopify.com";
/** DNS limit for a whole name. */
const MAX_SHOP_DOMAIN_LENGTH = 255;

/**
 * Returns `input` when it is exactly a valid `*.myshopify.com` shop domain, else `null`.
 *
 * Deliberately strict: no lower-casing, trimming, scheme, port, path or trailing dot is
 * accepted, so the value can be echoed into a CSP header or a URL host as it is.
 *
 * @example parseShopDomain("my-shop.myshopify.com") // "my-shop.myshopify.com"
 * @example parseShopDomain("My-Shop.myshopify.com") // null
 */
export function parseShopDomain(input: unknown): string | null {
  if (typeof input !== "string") return null;
  if (input.length === 0 || input.length > MAX_SHOP_DOMAIN_LENGTH) return null;
  return SHOP_DOMAIN_PATTERN.test(input) ? input : null;
}

/**
 * The part of a shop domain before `.myshopify.com` (`my-shop.myshopify.com` → `my-shop`).
 * Throws on anything `parseShopDomain` rejects: callers pass domains they already validated.
 */
export function shopHandle(shop: string): string {
  if (parseShopDomain(shop) === null) throw new TypeError("shopHandle: not a valid *.myshopify.com domain");
  return shop.slice(0, -SHOP_DOMAIN_SUFFIX.length);
}
