import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config.ts";

/** Generated values carry this marker, so finding one in a message cannot be a coincidence. */
const MARK = "Qz7";
const SECRET_KEYS = ["SHOPIFY_API_SECRET", "MOUSESTATS_PARTNER_SECRET", "APP_ENCRYPTION_KEY", "METRICS_TOKEN"];
const marked = fc.string({ unit: "binary", maxLength: 30 }).map((s) => `${MARK}${s}${MARK}`);
const hexKey = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString("hex"));
const b64Key = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString("base64"));

/** Per variable: [values that parse, values that nearly do]; marked garbage is added to both. */
const VALUES: Record<string, [fc.Arbitrary<string>, fc.Arbitrary<string>]> = {
  NODE_ENV: [fc.constantFrom("development", "test"), fc.constant("production")],
  PORT: [fc.integer({ min: 0, max: 65_535 }).map(String), fc.constantFrom("-1", "70000", "1e3", "port")],
  HOST: [fc.constantFrom("0.0.0.0", "127.0.0.1", "::", "https://tunnel.trycloudflare.com"), fc.constantFrom(" ", "https://", "http://exa mple.com")],
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
  METRICS_TOKEN: [marked.filter((t) => t.trim().length >= 16), fc.constantFrom("short", "0123456789abcde")],
  SUPPORT_EMAIL: [fc.constantFrom("help@example.com", "a.b@shop.example"), fc.constant("help")],
  SUPPORT_URL: [fc.constantFrom("https://example.com/help", "https://help.example"), fc.constant("http://example.com")],
  MOUSESTATS_SIMULATOR_LATENCY_MS: [fc.integer({ min: 0, max: 10_000 }).map(String), fc.constant("10001")],
};

/** Values of the wrong form: each is one mistake, and must give one line naming its variable. */
const MALFORMED: Record<string, fc.Arbitrary<string>> = {
  PORT: fc.constantFrom("-1", "70000", "port", "80.5"),
  HOST: fc.constantFrom("https://", "http://exa mple.com"),
  LOG_LEVEL: fc.constant("verbose"),
  SHOPIFY_APP_URL: fc.constantFrom("ftp://x", "not a url"),
  SHOPIFY_SANDBOX: fc.constantFrom("yes", "no", "on"),
  MOUSESTATS_API_URL: fc.constant("javascript:alert(1)"),
  MOUSESTATS_LOGIN_URL: fc.constant("mailto:x"),
  MOUSESTATS_ACTIVE_FREE_PLAN: fc.constant("maybe"),
  MOUSESTATS_TIMEOUT_MS: fc.constantFrom("99", "10001", "fast", "1e9", "150.5"),
  LOGIN_TOKEN_VALID_HOURS: fc.constantFrom("0", "25", "1.5", "-2"),
  APP_ENCRYPTION_KEY: hexKey.map((k) => k.slice(2)),
  METRICS_TOKEN: fc.constantFrom("short", "0123456789abcde"),
  BILLING_PLAN_NAME: fc.constant("x".repeat(256)),
  BILLING_PRICE: fc.constantFrom("9.999", "abc", "0", "-1", "1e3"),
  BILLING_CURRENCY: fc.constantFrom("XYZ1", "dollars"),
  BILLING_INTERVAL: fc.constantFrom("WEEKLY", "monthly"),
  BILLING_TRIAL_DAYS: fc.constantFrom("400", "-1", "7.5", "week"),
  BILLING_TEST: fc.constantFrom("yes", "maybe"),
  SUPPORT_EMAIL: fc.constantFrom("help", "help@", "@example.com"),
  SUPPORT_URL: fc.constantFrom("http://example.com/help", "help", "ftp://example.com"),
  MOUSESTATS_SIMULATOR_LATENCY_MS: fc.constantFrom("-1", "10001", "1.5", "slow"),
};

const SANDBOX = {};
const REAL = { SHOPIFY_API_KEY: "key", SHOPIFY_API_SECRET: "secret-value", APP_ENCRYPTION_KEY: "ab".repeat(32), MOUSESTATS_PARTNER_ID: "p", MOUSESTATS_PARTNER_SECRET: "s" };

const env = fc.record(Object.fromEntries(Object.entries(VALUES).map(([key, [good, bad]]) =>
  [key, fc.oneof({ arbitrary: good, weight: 24 }, { arbitrary: bad, weight: 1 }, { arbitrary: marked, weight: 1 })])), { requiredKeys: [] })
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
    expect(parsed, `${parsed} parsed`).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });

  it("gives exactly one line, naming the variable, for one malformed value in a good configuration", () => {
    const oneMistake = fc.tuple(fc.constantFrom(SANDBOX, REAL), fc.constantFrom(...Object.keys(MALFORMED)))
      .chain(([base, name]) => MALFORMED[name]!.map((value) => ({ base, name, value })));
    fc.assert(fc.property(oneMistake, ({ base, name, value }) => {
      expect(() => parseConfig(base)).not.toThrow();
      let problems: readonly string[] = [];
      try { parseConfig({ ...base, [name]: value }); } catch (err) { if (err instanceof ConfigError) problems = err.problems; else throw err; }
      expect(problems).toHaveLength(1);
      expect(problems[0]!.startsWith(`${name}: `)).toBe(true);
      // Plain words, not zod's ("Too small: expected number to be >=100", "Invalid input").
      expect(problems[0]).not.toMatch(/expected|invalid input|too small|too big|>=|<=/i);
    }), { numRuns: 500 });
  });
});
