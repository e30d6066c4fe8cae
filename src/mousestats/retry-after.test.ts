import { describe, expect, it } from "vitest";

import { parseRetryAfterMs } from "./retry-after.ts";

const NOW_MS = Date.parse("2030-01-01T00:00:00Z");

describe("parseRetryAfterMs", () => {
  it.each([
    ["7", 7000],
    [" 0 ", 0],
    ["Tue, 01 Jan 2030 00:00:30 GMT", 30_000],
    ["Mon, 31 Dec 2029 23:00:00 GMT", 0],
    [null, undefined],
    ["", undefined],
    ["-5", undefined],
    ["1.5", undefined],
    ["soon", undefined],
    ["2030-01-02", undefined],
  ])("reads %j as %s ms", (header, expected) => {
    expect(parseRetryAfterMs(header, NOW_MS)).toBe(expected);
  });
});
