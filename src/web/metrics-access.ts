import { createHash, timingSafeEqual } from "node:crypto";

export interface MetricsAccessOptions {
  /** METRICS_TOKEN; when set, every scrape must bring it. */
  token: string | undefined;
  /** Sandbox mode: with no token, `/metrics` stays open (nothing real to expose). */
  sandbox: boolean;
}

/** Who may read `/metrics`: served, refused (wrong or missing token), or hidden (404). */
export function metricsAccess(options: MetricsAccessOptions, authorization: string | undefined): "serve" | "refuse" | "hide" {
  if (options.token === undefined) return options.sandbox ? "serve" : "hide";
  const given = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "")?.[1];
  return given !== undefined && sameSecret(given, options.token) ? "serve" : "refuse";
}

/** Constant-time comparison of two strings of any lengths (their SHA-256 digests are compared). */
function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}
