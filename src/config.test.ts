import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, SANDBOX_API_KEY, SANDBOX_API_SECRET, loadEnv, parseConfig, withListenPort } from "./config.ts";

const REAL = { SHOPIFY_API_KEY: "key", SHOPIFY_API_SECRET: "shpss_topsecret", APP_ENCRYPTION_KEY: "ab".repeat(32) };
const problemsOf = (env: Record<string, string>) => {
  try { parseConfig(env); } catch (err) { if (err instanceof ConfigError) return err.problems; throw err; }
  return [];
};

describe("parseConfig", () => {
  it("runs on embedded defaults: sandbox shop, bundled simulator, SQLite file", () => {
    const { config, warnings } = parseConfig({});
    expect(config).toMatchObject({
      port: 3000, host: "0.0.0.0", databaseUrl: "./data/app.db", logLevel: "info", loginTokenValidHours: 1, addonSkus: [],
      shopify: { apiKey: SANDBOX_API_KEY, apiSecret: SANDBOX_API_SECRET, appUrl: "http://localhost:3000", sandbox: true },
      mousestats: { simulated: true, activeFreePlan: true, timeoutMs: 10_000, apiUrl: "http://127.0.0.1:3000/mousestats-simulator/api" },
    });
    expect(warnings).toEqual([]);
    expect(Object.isFrozen(config) && Object.isFrozen(config.shopify)).toBe(true);
  });

  it("leaves sandbox mode when the API key is set, and reads the rest", () => {
    const { config } = parseConfig({ ...REAL, PORT: "8080", ADDON_SKUS: " Heat-1 , ,HEAT-2", MOUSESTATS_PARTNER_ID: "p", MOUSESTATS_PARTNER_SECRET: "s",
      MOUSESTATS_LOGIN_URL: "https://heatmaps.example.com/api/doLogin/", LOGIN_TOKEN_VALID_HOURS: "24", MOUSESTATS_ACTIVE_FREE_PLAN: "false" });
    expect(config.shopify.sandbox).toBe(false);
    expect(config.addonSkus).toEqual(["heat-1", "heat-2"]);
    expect(config.mousestats).toMatchObject({ simulated: false, apiUrl: "https://ssl.mousestats.com/api", loginUrl: "https://heatmaps.example.com/api/doLogin", activeFreePlan: false });
    expect(config.loginTokenValidHours).toBe(24);
    expect(config.encryptionKey).toHaveLength(32);
  });

  it.each(["0", "25", "1.5", "one", "-1"])("rejects LOGIN_TOKEN_VALID_HOURS=%s", (value) => {
    expect(problemsOf({ LOGIN_TOKEN_VALID_HOURS: value })).toEqual(["LOGIN_TOKEN_VALID_HOURS: must be an integer from 1 to 24"]);
  });

  it("lists every problem, one per line, without printing secret values", () => {
    const secret = "super-secret-partner-value";
    const problems = problemsOf({ NODE_ENV: "production", PORT: "http", MOUSESTATS_PARTNER_SECRET: secret, SHOPIFY_APP_URL: `ftp://${secret}`, LOG_LEVEL: "loud" });
    expect(problems).toHaveLength(5);
    expect(problems.join("\n")).not.toContain(secret);
    expect(problems.every((p) => /^[A-Z_]+[ :]/.test(p))).toBe(true);
  });

  it("refuses sandbox mode and the simulator in production", () => {
    expect(problemsOf({ NODE_ENV: "production" })).toEqual([
      expect.stringMatching(/^SHOPIFY_SANDBOX: sandbox mode is refused/),
      "SHOPIFY_APP_URL: required when NODE_ENV=production (the public https URL of the app)",
      expect.stringMatching(/^MOUSESTATS_PARTNER_ID: the bundled simulator is refused/),
    ]);
  });

  it("needs the secret and an encryption key outside sandbox mode", () => {
    expect(problemsOf({ SHOPIFY_API_KEY: "k" })).toEqual([
      "SHOPIFY_API_SECRET: required outside sandbox mode",
      expect.stringMatching(/^APP_ENCRYPTION_KEY: required/),
    ]);
    expect(problemsOf({ ...REAL, APP_ENCRYPTION_KEY: "c2hvcnQ=" })).toEqual([expect.stringMatching(/^APP_ENCRYPTION_KEY: must be 32 bytes/)]);
  });

  it("charges what the reseller configures: billing plan defaults, and every BILLING_* variable read", () => {
    expect(parseConfig({}).config.billing).toEqual({ name: "MouseStats Heatmaps", amount: 9.99, currencyCode: "USD", interval: "EVERY_30_DAYS", trialDays: 0, test: true });
    const { config } = parseConfig({ ...REAL, BILLING_PLAN_NAME: " Heatmaps Pro ", BILLING_PRICE: "49", BILLING_CURRENCY: "eur", BILLING_INTERVAL: "ANNUAL", BILLING_TRIAL_DAYS: "14" });
    expect(config.billing).toEqual({ name: "Heatmaps Pro", amount: 49, currencyCode: "EUR", interval: "ANNUAL", trialDays: 14, test: false });
  });

  it("decides test charges by BILLING_TEST, never by NODE_ENV: real charges outside sandbox mode unless asked", () => {
    expect(parseConfig(REAL).config.billing.test).toBe(false);
    expect(parseConfig({ ...REAL, NODE_ENV: "development" }).config.billing.test).toBe(false);
    expect(parseConfig({ ...REAL, BILLING_TEST: "true" }).config.billing.test).toBe(true);
    expect(parseConfig({ BILLING_TEST: "false" }).config.billing.test).toBe(false);
  });

  it.each([
    ["BILLING_PRICE", "0", "BILLING_PRICE: must be more than 0"],
    ["BILLING_PRICE", "9.999", "BILLING_PRICE: must be an amount like 9.99 (at most two decimals)"],
    ["BILLING_PRICE", "$10", "BILLING_PRICE: must be an amount like 9.99 (at most two decimals)"],
    ["BILLING_CURRENCY", "DOLLARS", "BILLING_CURRENCY: must be an ISO 4217 currency code, like USD or EUR"],
    ["BILLING_INTERVAL", "MONTHLY", "BILLING_INTERVAL: must be one of EVERY_30_DAYS, ANNUAL"],
    ["BILLING_TRIAL_DAYS", "3000", "BILLING_TRIAL_DAYS: must be a whole number of days from 0 to 365"],
    ["BILLING_TRIAL_DAYS", "-1", "BILLING_TRIAL_DAYS: must be a whole number of days from 0 to 365"],
    ["BILLING_TEST", "yes", "BILLING_TEST: must be one of 0, 1, true, false"],
    ["SUPPORT_EMAIL", "help at example", "SUPPORT_EMAIL: must be an email address, like help@example.com"],
    ["SUPPORT_URL", "http://example.com/help", "SUPPORT_URL: must be an https URL, like https://example.com/help"],
    ["SUPPORT_URL", "javascript:alert(1)", "SUPPORT_URL: must be an https URL, like https://example.com/help"],
    ["MOUSESTATS_SIMULATOR_LATENCY_MS", "20000", "MOUSESTATS_SIMULATOR_LATENCY_MS: must be a whole number of milliseconds from 0 to 10000"],
    ["MOUSESTATS_SIMULATOR_LATENCY_MS", "slow", "MOUSESTATS_SIMULATOR_LATENCY_MS: must be a whole number of milliseconds from 0 to 10000"],
  ])("refuses %s=%s with one clear line", (name, value, problem) => {
    expect(problemsOf({ [name]: value })).toEqual([problem]);
  });

  it("reads the help link (SUPPORT_EMAIL, SUPPORT_URL) and the simulator's latency knob", () => {
    expect(parseConfig({}).config.support).toEqual({ email: undefined, url: undefined });
    expect(parseConfig({}).config.mousestats.simulatorLatencyMs).toBe(0);
    const { config } = parseConfig({ SUPPORT_EMAIL: " help@reseller.example ", SUPPORT_URL: "https://reseller.example/help", MOUSESTATS_SIMULATOR_LATENCY_MS: "4000" });
    expect(config.support).toEqual({ email: "help@reseller.example", url: "https://reseller.example/help" });
    expect(config.mousestats.simulatorLatencyMs).toBe(4000);
  });

  it("never runs the sandbox (which signs session tokens) with a real app secret", () => {
    expect(problemsOf({ SHOPIFY_API_SECRET: "shpss_0123456789abcdef" })).toEqual([expect.stringMatching(/^SHOPIFY_API_SECRET: sandbox mode never signs with a real app secret/)]);
    expect(problemsOf({ SHOPIFY_SANDBOX: "true", ...REAL })).toEqual([expect.stringMatching(/^SHOPIFY_API_SECRET: sandbox mode never signs/)]);
    // A test secret of one's own stays allowed (tests and local set-ups).
    expect(parseConfig({ SHOPIFY_API_SECRET: "my-local-test-secret" }).config.shopify).toMatchObject({ sandbox: true, apiSecret: "my-local-test-secret" });
  });

  it("warns about a plain-http login URL outside sandbox mode", () => {
    expect(parseConfig(REAL).warnings).toEqual([expect.stringMatching(/MOUSESTATS_LOGIN_URL is plain http/)]);
  });

  it("takes an http(s) HOST as the app URL and then listens on every interface (what `shopify app dev` sets)", () => {
    const { config } = parseConfig({ HOST: "https://ready-set-go.trycloudflare.com", PORT: "51234" });
    expect(config.host).toBeUndefined();
    expect(config.shopify.appUrl).toBe("https://ready-set-go.trycloudflare.com");
    expect(withListenPort(config, 40000).shopify.appUrl).toBe("https://ready-set-go.trycloudflare.com");
    // SHOPIFY_APP_URL, when set, is still the app URL.
    expect(parseConfig({ HOST: "https://tunnel.example.com", SHOPIFY_APP_URL: "https://app.example.com" }).config.shopify.appUrl).toBe("https://app.example.com");
    expect(parseConfig({ HOST: "127.0.0.1" }).config).toMatchObject({ host: "127.0.0.1", shopify: { appUrl: "http://localhost:3000" } });
    expect(problemsOf({ HOST: "https://" })).toEqual([expect.stringMatching(/^HOST: an http\(s\) value must be a valid URL/)]);
  });

  it("says what a value must be in plain words, one line per wrong value", () => {
    expect(problemsOf({ MOUSESTATS_TIMEOUT_MS: "50" })).toEqual(["MOUSESTATS_TIMEOUT_MS: must be a whole number of milliseconds from 100 to 10000"]);
    expect(problemsOf({ MOUSESTATS_TIMEOUT_MS: "1.5" })).toEqual(["MOUSESTATS_TIMEOUT_MS: must be a whole number of milliseconds from 100 to 10000"]);
    expect(problemsOf({ PORT: "http" })).toEqual(["PORT: must be a whole number from 0 to 65535"]);
    expect(problemsOf({ LOG_LEVEL: "loud" })).toEqual(["LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent"]);
    expect(problemsOf({ SQLITE_SYNCHRONOUS: "OFF" })).toEqual(["SQLITE_SYNCHRONOUS: must be FULL or NORMAL"]);
    // A wrong SHOPIFY_SANDBOX used to bring three "required outside sandbox mode" lines with it.
    expect(problemsOf({ SHOPIFY_SANDBOX: "yes" })).toEqual(["SHOPIFY_SANDBOX: must be true or false"]);
    // Blank is unset, as empty is: no "too small" line and no "set both" line on top of it.
    expect(problemsOf({ MOUSESTATS_PARTNER_ID: "  ", MOUSESTATS_PARTNER_SECRET: " " })).toEqual([]);
  });

  it("syncs SQLite at every commit unless SQLITE_SYNCHRONOUS=NORMAL (any case) trades that for speed", () => {
    expect(parseConfig({}).config.sqliteSynchronous).toBe("FULL");
    expect(parseConfig({ SQLITE_SYNCHRONOUS: " normal " }).config.sqliteSynchronous).toBe("NORMAL");
  });

  it("reads METRICS_TOKEN, which must be long enough to be a secret", () => {
    expect(parseConfig({}).config.metricsToken).toBeUndefined();
    expect(parseConfig({ METRICS_TOKEN: "0123456789abcdef" }).config.metricsToken).toBe("0123456789abcdef");
    const problems = problemsOf({ METRICS_TOKEN: "short-tok" });
    expect(problems).toEqual([expect.stringMatching(/^METRICS_TOKEN: must be at least 16 characters/)]);
    expect(problems[0]).not.toContain("short-tok");
  });

  it("moves default URLs to the real port when listening on port 0", () => {
    const { config } = parseConfig({ PORT: "0" });
    const moved = withListenPort(config, 41234);
    expect(moved.shopify.appUrl).toBe("http://localhost:41234");
    expect(moved.mousestats.apiUrl).toBe("http://127.0.0.1:41234/mousestats-simulator/api");
    expect(moved.mousestats.loginUrl).toBe("http://localhost:41234/mousestats-simulator/api/doLogin");
  });
});

describe("loadEnv", () => {
  it("reads .env under the real environment, which wins", () => {
    const file = join(mkdtempSync(join(tmpdir(), "env-")), ".env");
    writeFileSync(file, "PORT=4000\nLOG_LEVEL=debug\n# comment\nADDON_SKUS=\"A,B\"\n");
    expect(loadEnv({ PORT: "5000" }, file)).toMatchObject({ PORT: "5000", LOG_LEVEL: "debug", ADDON_SKUS: "A,B" });
    expect(loadEnv({ PORT: "5000" }, join(tmpdir(), "does-not-exist.env"))).toEqual({ PORT: "5000" });
  });
});
