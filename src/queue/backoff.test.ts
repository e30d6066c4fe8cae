import { describe, expect, it } from "vitest";
import { retryDelayMs } from "./backoff.ts";

describe("retryDelayMs", () => {
  it.each([
    [1, 1000], [2, 2000], [3, 4000], [9, 256_000], [10, 300_000], [12, 300_000], [100, 300_000],
  ])("caps attempt %i at %i ms when the jitter is at its top", (attempt, ceiling) => {
    expect(retryDelayMs(attempt, { random: () => 0.999_999_9 })).toBe(ceiling - 1);
  });

  it("draws uniformly from zero (full jitter)", () => {
    expect(retryDelayMs(5, { random: () => 0 })).toBe(0);
    expect(retryDelayMs(5, { random: () => 0.5 })).toBe(8000);
  });

  it("honours base and cap options", () => {
    expect(retryDelayMs(4, { baseMs: 10, capMs: 50, random: () => 0.999 })).toBe(49);
  });
});
