/** What a failed `npm run trigger` most likely means, by the app's status code. */
export function triggerHint(status: number): string {
  if (status === 400) return "The app rejected a header or the body (not the signature: a wrong secret answers 401).";
  if (status === 401) return "The signature did not verify: this command signs with SHOPIFY_API_SECRET from its own environment or .env, which must be the running app's.";
  if (status === 404 || status === 405) return "No webhook route there: --url must be the app's base URL, e.g. http://localhost:3000.";
  if (status === 413) return "The body is over the app's 1 MiB limit.";
  if (status >= 500) return "The app failed while storing the webhook: see its log.";
  return "";
}
