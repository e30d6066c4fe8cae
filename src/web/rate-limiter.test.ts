import { describe, expect, it } from "vitest";
import { createMemoryRateLimiter } from "./rate-limiter.ts";

describe("createMemoryRateLimiter (SQLite's login-link limit)", () => {
  const clock = () => {
    let t = 1_000_000;
    return { now: () => t, advance: (ms: number) => { t += ms; } };
  };

  it("allows `limit` takes per key in a window, then refuses with the seconds left, and starts a new window after it", async () => {
    const time = clock();
    const limiter = createMemoryRateLimiter({ limit: 3, windowMs: 60_000, now: time.now });
    for (let i = 0; i < 3; i++) expect(await limiter.take("a")).toEqual({ ok: true });
    time.advance(15_500);
    expect(await limiter.take("a")).toEqual({ ok: false, retryAfterS: 45 });
    expect(await limiter.take("b")).toEqual({ ok: true });
    time.advance(44_500);
    expect(await limiter.take("a")).toEqual({ ok: true });
  });

  it("keeps the windows still running when it tidies up after 10,000 keys", async () => {
    const time = clock();
    const limiter = createMemoryRateLimiter({ limit: 2, windowMs: 60_000, now: time.now });
    await limiter.take("live");
    await limiter.take("live");
    for (let i = 0; i < 10_000; i++) await limiter.take(`other-${i}`);
    time.advance(30_000);
    // A new key past 10,000 tidies up; every window is 30 s into its minute, so none may go.
    expect(await limiter.take("new")).toEqual({ ok: true });
    expect(await limiter.take("live")).toEqual({ ok: false, retryAfterS: 30 });
    time.advance(30_000);
    expect(await limiter.take("live")).toEqual({ ok: true });
  });
});
