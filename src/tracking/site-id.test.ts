import { describe, expect, it } from "vitest";
import { isSiteId, parseSiteId, SITE_ID_PATTERN, trackingScriptUrl } from "./site-id.ts";

const LONG_ID = "5003504249777020952";

describe("parseSiteId", () => {
  it.each([
    [LONG_ID, LONG_ID],
    [`  ${LONG_ID}\n`, LONG_ID],
    ["1234", "1234"],
    ["9".repeat(20), "9".repeat(20)],
    [`https://ssl.mousestats.com/js/5/0/${LONG_ID}.js?2950000`, LONG_ID],
    [`<script>(function(){var s=document.createElement('script');s.src='//ssl.mousestats.com/js/5/0/${LONG_ID}.js?'+Math.floor(new Date().getTime()/600000);})();</script>`, LONG_ID],
  ])("accepts %j as %s", (input, siteId) => {
    expect(parseSiteId(input)).toEqual({ ok: true, siteId });
  });

  it("keeps every digit of a 19-digit ID (beyond Number.MAX_SAFE_INTEGER)", () => {
    expect(Number(LONG_ID) > Number.MAX_SAFE_INTEGER).toBe(true);
    expect(String(Number(LONG_ID))).not.toBe(LONG_ID);
    expect(parseSiteId(LONG_ID)).toEqual({ ok: true, siteId: LONG_ID });
  });

  it.each([
    [undefined, /Enter your MouseStats site ID/],
    [null, /Enter your MouseStats site ID/],
    ["", /Enter your MouseStats site ID/],
    ["   ", /Enter your MouseStats site ID/],
    [5003504249777021000, /as a string/],
    [{ id: LONG_ID }, /Enter your MouseStats site ID/],
    ["50035-04249", /digits only/],
    ["5003504249777020952x", /digits only/],
    ["5003 5042 4977", /digits only/],
    ["１２３４５", /digits only/],
    ["123", /4 to 20 digits; this one has 3/],
    ["9".repeat(21), /4 to 20 digits; this one has 21/],
    ["0123456", /does not start with 0/],
    ['"><script>alert(1)</script>', /digits only/],
  ])("refuses %j", (input, error) => {
    const result = parseSiteId(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(error);
  });

  it("accepts exactly what the storefront loader's pattern accepts", () => {
    for (const value of ["1000", LONG_ID, "0000", "12a4", "1".repeat(21), "123"]) {
      expect(parseSiteId(value).ok, value).toBe(SITE_ID_PATTERN.test(value));
      expect(isSiteId(value), value).toBe(SITE_ID_PATTERN.test(value));
    }
    expect(isSiteId(null)).toBe(false);
    expect(isSiteId(1234)).toBe(false);
  });
});

describe("trackingScriptUrl", () => {
  it("uses the first two digits as folders and a 10-minute cache-buster", () => {
    const now = Date.UTC(2026, 10, 27, 8, 9, 59);
    expect(trackingScriptUrl(LONG_ID, now)).toBe(`https://ssl.mousestats.com/js/5/0/${LONG_ID}.js?${Math.floor(now / 600_000)}`);
    expect(trackingScriptUrl(LONG_ID, now + 1000)).not.toBe(trackingScriptUrl(LONG_ID, now));
  });
});
