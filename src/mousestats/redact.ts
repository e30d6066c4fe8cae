const REDACTED = "[redacted]";
const MAX_CAUSE_DEPTH = 4;

/** Any URL's query string: MouseStats URLs carry `_partnerSecret` and `_userPassword` there. */
const URL_QUERY_PATTERN = /\b([a-z][a-z0-9+.-]*:\/\/[^\s?#"'<>]*)\?[^\s"'<>]*/gi;
const SECRET_PARAM_PATTERN = /\b(_partnerSecret|_userPassword)=[^&\s"'<>]*/gi;

function encodings(secret: string): string[] {
  return [...new Set([secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)])];
}

/** Replaces every given secret (raw or URL-encoded) and every URL query string in `text`. */
export function redactText(text: string, secrets: readonly string[]): string {
  let result = text.replace(URL_QUERY_PATTERN, `$1?${REDACTED}`).replace(SECRET_PARAM_PATTERN, `$1=${REDACTED}`);
  for (const secret of secrets) {
    if (secret === "") continue;
    for (const form of encodings(secret)) result = result.split(form).join(REDACTED);
  }
  return result;
}

/** True when `text` holds any of the secrets, raw or URL-encoded. */
export function containsSecret(text: string, secrets: readonly string[]): boolean {
  return secrets.some((secret) => secret !== "" && encodings(secret).some((form) => text.includes(form)));
}

/**
 * A copy of an error chain that is safe to attach as `cause`: names, redacted messages and
 * `code`s only. The originals are dropped because fetch errors can embed the request URL.
 */
export function sanitizeError(err: unknown, secrets: readonly string[], depth = 0): Error {
  const source = err instanceof Error ? err : undefined;
  const message = redactText(source ? source.message : String(err), secrets);
  const inner = source?.cause;
  const cause = inner !== undefined && depth < MAX_CAUSE_DEPTH ? sanitizeError(inner, secrets, depth + 1) : undefined;
  const copy = new Error(message, cause === undefined ? undefined : { cause });
  copy.name = source?.name ?? "Error";
  copy.stack = `${copy.name}: ${message}`;
  const code = (source as { code?: unknown } | undefined)?.code;
  if (typeof code === "string") Object.assign(copy, { code });
  return copy;
}

/** A short, safe description of a network failure: the innermost `code`, else a message. */
export function describeNetworkFailure(err: Error): string {
  let current: unknown = err;
  let detail = err.message;
  for (let depth = 0; current instanceof Error && depth <= MAX_CAUSE_DEPTH; depth += 1) {
    const code = (current as { code?: unknown }).code;
    detail = typeof code === "string" ? code : current.message || detail;
    current = current.cause;
  }
  return detail;
}
