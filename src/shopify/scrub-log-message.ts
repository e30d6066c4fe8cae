/** JWTs (session tokens) and Shopify token prefixes (`shpat_`, `shpua_`, `shprt_`, …). */
const TOKEN_PATTERNS = [/eyJ[\w-]*\.[\w-]+\.[\w-]+/g, /\bshp[a-z]{2}_[\w-]+/g];

/**
 * Blanks anything token-shaped, and the given secrets, in a message from `@shopify/shopify-api`
 * before it reaches our logs. The library is not configured to log requests; this is the second
 * line of defence against a future version that quotes more than it does today.
 */
export function scrubLibraryLogMessage(message: string, secrets: readonly string[]): string {
  let scrubbed = message;
  for (const secret of secrets) {
    if (secret.length > 0) scrubbed = scrubbed.split(secret).join("[redacted]");
  }
  for (const pattern of TOKEN_PATTERNS) scrubbed = scrubbed.replace(pattern, "[redacted]");
  return scrubbed;
}
