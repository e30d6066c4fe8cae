/**
 * A MouseStats site ID (the account number above the tracking code in the MouseStats panel),
 * e.g. `5003504249777020952`. Always a string: 19 digits exceed `Number.MAX_SAFE_INTEGER`, so
 * parsing one as a number silently changes it.
 *
 * The storefront loader (`extensions/mousestats-tracking/assets/loader.js`) repeats this pattern
 * literally; `test/storefront/extension-files.test.ts` keeps the two equal.
 */
export const SITE_ID_PATTERN = /^[1-9][0-9]{3,19}$/;

export const SITE_ID_MIN_DIGITS = 4;
export const SITE_ID_MAX_DIGITS = 20;

/** Why an ID was refused: the page words each in the merchant's language (its `errors.<code>` string). */
export type SiteIdErrorCode = "site_id_number" | "site_id_missing" | "site_id_digits" | "site_id_length" | "site_id_leading_zero";

export type SiteIdResult =
  | { ok: true; siteId: string }
  | { ok: false; error: string; code: SiteIdErrorCode; params?: { min: number; max: number; length: number } };

// The script URL of a pasted tracking code: `…mousestats.com/js/5/0/5003504249777020952.js?…`.
const SCRIPT_PATH = /mousestats\.com\/js\/\d\/\d\/(\d+)\.js/i;

/**
 * Validates what the merchant typed. Surrounding spaces are ignored, and a pasted MouseStats
 * tracking code or script URL yields the ID inside it. Errors are sentences for the page.
 */
export function parseSiteId(input: unknown): SiteIdResult {
  if (typeof input === "number") {
    return { ok: false, code: "site_id_number", error: "Send the site ID as a string: as a JSON number, a long ID loses its last digits." };
  }
  if (typeof input !== "string" || input.trim() === "") return { ok: false, code: "site_id_missing", error: "Enter your MouseStats site ID." };
  const text = input.trim();
  const candidate = SCRIPT_PATH.exec(text)?.[1] ?? text;
  if (!/^[0-9]+$/.test(candidate)) {
    return { ok: false, code: "site_id_digits", error: "The site ID is made of digits only, like 5003504249777020952." };
  }
  if (candidate.length < SITE_ID_MIN_DIGITS || candidate.length > SITE_ID_MAX_DIGITS) {
    return {
      ok: false,
      code: "site_id_length",
      params: { min: SITE_ID_MIN_DIGITS, max: SITE_ID_MAX_DIGITS, length: candidate.length },
      error: `The site ID has ${SITE_ID_MIN_DIGITS} to ${SITE_ID_MAX_DIGITS} digits; this one has ${candidate.length}. Copy it again from your MouseStats panel.`,
    };
  }
  if (candidate.startsWith("0")) return { ok: false, code: "site_id_leading_zero", error: "A site ID does not start with 0. Copy it again from your MouseStats panel." };
  return { ok: true, siteId: candidate };
}

/** True for a value the storefront loader accepts; a stored value is checked with this before it is shown as set. */
export function isSiteId(value: unknown): value is string {
  return typeof value === "string" && SITE_ID_PATTERN.test(value);
}

/**
 * The MouseStats script the loader injects: `/js/{first digit}/{second digit}/{id}.js`, with a
 * cache-buster that changes every 10 minutes, as in MouseStats' own snippet.
 */
export function trackingScriptUrl(siteId: string, nowMs: number): string {
  return `https://ssl.mousestats.com/js/${siteId[0]}/${siteId[1]}/${siteId}.js?${Math.floor(nowMs / 600_000)}`;
}
