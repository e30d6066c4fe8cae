import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config.ts";

/** Generated values carry this marker, so finding one in a message cannot be a coincidence. */
const MARK = "Qz7";
const SECRET_KEYS = ["SHOPIFY_API_SECRET", "MOUSESTATS_PARTNER_SECRET", "APP_ENCRYPTION_KEY"];
const marked = fc.string({ unit: "binary", maxLength: 30 }).map((s) => `${MARK}${s}${MARK}`);
const hexKey = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString("hex"));
const b64Key = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString("base64"));

/** Per variable: [values that parse, values that nearly do]; marked garbage is added to both. */
const VALUES: Record<string, [fc.Arbitrary<string>, fc.Arbitrary<string>]> = {
  NODE_ENV: [fc.constantFrom("development", "test"), fc.constant("production")],
  PORT: [fc.integer({ min: 0, max: 65_535 }).map(String), fc.constantFrom("-1", "70000", "1e3", "port")],
  HOST: [fc.constantFrom("0.0.0.0", "127.0.0.1", "::"), fc.constant(" ")],
  DATABASE_URL: [fc.constantFrom(":memory:", "./data/app.db"), fc.constant("  ")],
  LOG_LEVEL: [fc.constantFrom("info", "debug", "trace", "silent"), fc.constant("verbose")],
  SHOPIFY_API_KEY: [fc.constantFrom("key-1", "abc"), fc.constant(" ")],
  SHOPIFY_API_SECRET: [marked, fc.constant(" ")],
  SHOPIFY_APP_URL: [fc.constantFrom("https://app.example.com", "http://localhost:3000/"), fc.constantFrom("ftp://x", "not a url")],
  SHOPIFY_SANDBOX: [fc.constantFrom("true", "false", "1", "0"), fc.constant("yes")],
  MOUSESTATS_PARTNER_ID: [fc.constantFrom("partner", "p-2"), fc.constant(" ")],
  MOUSESTATS_PARTNER_SECRET: [marked, fc.constant(" ")],
  MOUSESTATS_API_URL: [fc.constantFrom("https://ssl.mousestats.com/api", "http://127.0.0.1:1/api"), fc.constant("javascript:alert(1)")],
  MOUSESTATS_LOGIN_URL: [fc.constantFrom("https://login.example.com/doLogin", "http://www.mousestats.com/api/doLogin"), fc.constant("mailto:x")],
  MOUSESTATS_ACTIVE_FREE_PLAN: [fc.constantFrom("true", "false"), fc.constant("maybe")],
  MOUSESTATS_TIMEOUT_MS: [fc.integer({ min: 100, max: 10_000 }).map(String), fc.constantFrom("99", "10001", "fast")],
  LOGIN_TOKEN_VALID_HOURS: [fc.integer({ min: 1, max: 24 }).map(String), fc.constantFrom("0", "25", "1.5", "-2")],
  ADDON_SKUS: [fc.constantFrom("", "A,B", " a , ,b "), fc.constant(",")],
  APP_ENCRYPTION_KEY: [fc.oneof(hexKey, b64Key), hexKey.map((k) => k.slice(2))],
};

const env = fc.record(Object.fromEntries(Object.entries(VALUES).map(([key, [good, bad]]) =>
  [key, fc.oneof({ arbitrary: good, weight: 12 }, { arbitrary: bad, weight: 1 }, { arbitrary: marked, weight: 1 })])), { requiredKeys: [] })
  .chain((known) => fc.dictionary(fc.string({ maxLength: 12 }), marked, { maxKeys: 3 }).map((extra) => ({ ...extra, ...known }) as Record<string, string>));

describe("parseConfig (property)", () => {
  it("returns a config or throws ConfigError, and never puts a value in a message", () => {
    let parsed = 0;
    let refused = 0;
    fc.assert(fc.property(env, (e) => {
      let texts: string[];
      try {
        const { config, warnings } = parseConfig(e);
        parsed++;
        texts = warnings;
        expect(Object.isFrozen(config)).toBe(true);
        expect(config.encryptionKey.length).toBe(32);
        expect(config.port).toBeGreaterThanOrEqual(0);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        refused++;
        texts = [err.message, ...err.problems];
      }
      for (const text of texts) {
        expect(text).not.toContain(MARK);
        for (const key of SECRET_KEYS) if ((e[key]?.trim().length ?? 0) >= 8) expect(text).not.toContain(e[key]!.trim());
      }
    }), { numRuns: 3000 });
    expect(parsed).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });
});
