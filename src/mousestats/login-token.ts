import { MouseStatsInvalidArgumentError } from "./errors.ts";

/** The document's token sample `03C879E18F6AA4E15E1EB81C88E91B01`: 32 hex digits. */
const LOGIN_TOKEN_PATTERN = /^[0-9a-f]{32}$/i;

/** `_validHours` bounds from the document: an integer between 1 and 24. */
export const MIN_VALID_HOURS = 1;
export const MAX_VALID_HOURS = 24;

/** True when `text` has the shape of a GenerateLoginToken token. */
export function isLoginToken(text: string): boolean {
  return LOGIN_TOKEN_PATTERN.test(text);
}

/** True for an integer from 1 to 24, the range the document allows for `_validHours`. */
export function isValidHours(value: unknown): value is number {
  return (
    typeof value === "number" && Number.isInteger(value) && value >= MIN_VALID_HOURS && value <= MAX_VALID_HOURS
  );
}

/** @throws MouseStatsInvalidArgumentError unless `validHours` is an integer from 1 to 24. */
export function assertValidHours(validHours: unknown): asserts validHours is number {
  if (isValidHours(validHours)) return;
  throw new MouseStatsInvalidArgumentError({
    operation: "GenerateLoginToken",
    argument: "validHours",
    detail: `expected an integer from ${MIN_VALID_HOURS} to ${MAX_VALID_HOURS}, got ${String(validHours)}`,
  });
}

/**
 * `http://www.mousestats.com/api/doLogin` + token → `…/doLogin?_token=<token>`. A login URL
 * that already has a query string (some white-label panels) gets `&_token=` instead, and a
 * fragment stays at the end.
 */
export function buildLoginUrl(loginUrl: string, token: string): string {
  const hashAt = loginUrl.indexOf("#");
  const base = hashAt === -1 ? loginUrl : loginUrl.slice(0, hashAt);
  const fragment = hashAt === -1 ? "" : loginUrl.slice(hashAt);
  let separator = "&";
  if (!base.includes("?")) separator = "?";
  else if (base.endsWith("?") || base.endsWith("&")) separator = "";
  return `${base}${separator}_token=${encodeURIComponent(token)}${fragment}`;
}
