import { readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import * as z from "zod";
import { BILLING_INTERVALS, type BillingPlan } from "./shopify/billing-plan.ts";

/** Where `npm start` mounts the bundled MouseStats simulator when no partner credentials are set. */
export const SIMULATOR_MOUNT_PATH = "/mousestats-simulator";
export const SANDBOX_API_KEY = "sandbox-api-key";
export const SANDBOX_API_SECRET = "sandbox-api-secret";
export const SIMULATOR_PARTNER_ID = "sandbox-partner";
export const SIMULATOR_PARTNER_SECRET = "sandbox-partner-secret";
/** Only ever used in sandbox mode, where there is nothing real to protect. */
export const SANDBOX_ENCRYPTION_KEY = "c2FuZGJveC1rZXktbm90LWZvci1wcm9kdWN0aW9uISE=";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
/** SQLite's `synchronous` pragma: FULL syncs the WAL at every commit, NORMAL only at checkpoints. */
export const SQLITE_SYNCHRONOUS_MODES = ["FULL", "NORMAL"] as const;
export type SqliteSynchronous = (typeof SQLITE_SYNCHRONOUS_MODES)[number];

export interface AppConfig {
  readonly nodeEnv: string;
  readonly port: number;
  /** Listen address; undefined: every interface (IPv4 and IPv6), as when HOST is the app's URL. */
  readonly host: string | undefined;
  readonly databaseUrl: string;
  /**
   * FULL (the default): a webhook is answered 200 only once its row is on disk, so a power cut
   * or OS crash loses nothing Shopify will not resend. NORMAL survives a crash of the app only.
   */
  readonly sqliteSynchronous: SqliteSynchronous;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly shopify: {
    readonly apiKey: string;
    readonly apiSecret: string;
    readonly appUrl: string;
    /** True when neither SHOPIFY_APP_URL nor a URL in HOST was set, so appUrl follows the listen port. */
    readonly appUrlFromPort: boolean;
    readonly sandbox: boolean;
  };
  readonly mousestats: {
    /** True when no partner credentials are set: the bundled simulator answers. */
    readonly simulated: boolean;
    readonly partnerId: string;
    readonly partnerSecret: string;
    readonly apiUrl: string;
    readonly loginUrl: string;
    readonly activeFreePlan: boolean;
    readonly timeoutMs: number;
    /** The bundled simulator's delay per call (`MOUSESTATS_SIMULATOR_LATENCY_MS`), to watch "setting up" in sandbox mode. */
    readonly simulatorLatencyMs: number;
  };
  readonly loginTokenValidHours: number;
  /** Lower-cased add-on SKUs for `orders/paid`. */
  readonly addonSkus: readonly string[];
  /** Where the add-on is sold (an absolute URL or a path on the store), linked from the buyers' page. */
  readonly addonProductUrl: string | undefined;
  /** 32-byte AES-256-GCM key for access tokens at rest. */
  readonly encryptionKey: Buffer;
  /** Bearer token for `/metrics`; unset: open in sandbox mode, 404 outside it. */
  readonly metricsToken: string | undefined;
  /** The add-on subscription (`BILLING_*`). */
  readonly billing: Readonly<BillingPlan>;
  /** Where merchants get help: a link on every view and error of the page. Unset: no help link. */
  readonly support: { readonly email: string | undefined; readonly url: string | undefined };
}

export interface ParsedConfig {
  config: AppConfig;
  /** Things that start but deserve a line in the log (e.g. a plain-http login URL). */
  warnings: string[];
}

/** Thrown when the environment cannot make a valid configuration; one problem per line. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

const boolString = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const optionalText = z.string().trim().min(1).optional();
const httpUrl = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ""));

const envSchema = z.object({
  NODE_ENV: z.string().default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().trim().min(1).default("0.0.0.0"),
  DATABASE_URL: z.string().trim().min(1).default("./data/app.db"),
  SQLITE_SYNCHRONOUS: z.string().trim().toUpperCase().pipe(z.enum(SQLITE_SYNCHRONOUS_MODES)).default("FULL"),
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  SHOPIFY_API_KEY: optionalText,
  SHOPIFY_API_SECRET: optionalText,
  SHOPIFY_APP_URL: httpUrl.optional(),
  SHOPIFY_SANDBOX: boolString.optional(),
  MOUSESTATS_PARTNER_ID: optionalText,
  MOUSESTATS_PARTNER_SECRET: optionalText,
  MOUSESTATS_API_URL: httpUrl.default("https://ssl.mousestats.com/api"),
  MOUSESTATS_LOGIN_URL: httpUrl.default("http://www.mousestats.com/api/doLogin"),
  MOUSESTATS_ACTIVE_FREE_PLAN: boolString.default(true),
  MOUSESTATS_TIMEOUT_MS: z.coerce.number().int().min(100).max(10_000).default(10_000),
  LOGIN_TOKEN_VALID_HOURS: z.string().trim().regex(/^\d+$/, "must be an integer from 1 to 24")
    .transform(Number).pipe(z.number().int().min(1, "must be an integer from 1 to 24").max(24, "must be an integer from 1 to 24"))
    .default(1),
  ADDON_SKUS: z.string().default(""),
  ADDON_PRODUCT_URL: z.string().trim().refine((v) => /^\/[^/\s]\S*$/.test(v) || /^https?:\/\/\S+$/.test(v) && URL.canParse(v),
    "must be an http(s) URL or a path on the store, like /products/heatmaps").optional(),
  APP_ENCRYPTION_KEY: optionalText,
  METRICS_TOKEN: z.string().trim().min(16).optional(),
  BILLING_PLAN_NAME: z.string().trim().min(1).max(255).default("MouseStats Heatmaps"),
  BILLING_PRICE: z.string().trim().regex(/^\d{1,7}(\.\d{1,2})?$/, "must be an amount like 9.99 (at most two decimals)")
    .transform(Number).pipe(z.number().positive("must be more than 0")).default(9.99),
  BILLING_CURRENCY: z.string().trim().toUpperCase()
    .refine((code) => SUPPORTED_CURRENCIES.has(code), "must be an ISO 4217 currency code, like USD or EUR").default("USD"),
  BILLING_INTERVAL: z.enum(BILLING_INTERVALS).default("EVERY_30_DAYS"),
  // 365 is our sanity bound (a typo of 3000 should not start); the mutation's own limit is not documented.
  BILLING_TRIAL_DAYS: z.string().trim().regex(/^\d+$/, "must be a whole number of days from 0 to 365")
    .transform(Number).pipe(z.number().int().max(365, "must be a whole number of days from 0 to 365")).default(0),
  BILLING_TEST: boolString.optional(),
  MOUSESTATS_SIMULATOR_LATENCY_MS: z.string().trim().regex(/^\d+$/, "must be a whole number of milliseconds from 0 to 10000")
    .transform(Number).pipe(z.number().int().max(10_000, "must be a whole number of milliseconds from 0 to 10000")).default(0),
  SUPPORT_EMAIL: z.string().trim().pipe(z.email("must be an email address, like help@example.com")).optional(),
  SUPPORT_URL: z.string().trim().pipe(z.url({ protocol: /^https$/, error: "must be an https URL, like https://example.com/help" })).optional(),
});

const SUPPORTED_CURRENCIES = new Set(Intl.supportedValuesOf("currency"));

/** Every variable the app reads, for checks that README, .env.example and the deploy files name only these. */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape) as readonly string[];

/**
 * What each variable must be, in the words of the configuration error. A variable not listed here
 * gets a plain sentence made from zod's issue (see describeIssue).
 */
const EXPECTED: Partial<Record<keyof typeof envSchema.shape, string>> = {
  PORT: "must be a whole number from 0 to 65535",
  SQLITE_SYNCHRONOUS: "must be FULL or NORMAL",
  SHOPIFY_SANDBOX: "must be true or false",
  MOUSESTATS_ACTIVE_FREE_PLAN: "must be true or false",
  MOUSESTATS_TIMEOUT_MS: "must be a whole number of milliseconds from 100 to 10000",
  LOGIN_TOKEN_VALID_HOURS: "must be an integer from 1 to 24",
  METRICS_TOKEN: "must be at least 16 characters (for example the output of `openssl rand -hex 32`)",
};

/** `shopify app dev` (and Shopify's app template) puts the app's public URL in HOST. */
const URL_IN_HOST = /^https?:\/\//i;

type Env = Record<string, string | undefined>;

/** Reads `.env` (if present) under the real environment: a variable set in the environment wins. */
export function loadEnv(processEnv: Env = process.env, dotenvPath = ".env"): Env {
  let fromFile: Env = {};
  try {
    fromFile = parseEnv(readFileSync(dotenvPath, "utf8"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  return { ...fromFile, ...processEnv };
}

/**
 * Parses the environment once into a frozen config. Every problem is collected and thrown
 * together as a ConfigError; messages name the variable, never its value.
 */
export function parseConfig(env: Env): ParsedConfig {
  // Empty (or blank) values mean "unset", as in most .env files.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ""));
  const parsed = envSchema.safeParse(cleaned);
  // One line per variable, however many of zod's checks it failed.
  const invalid = new Map<string, string>();
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const name = String(issue.path[0]);
    if (!invalid.has(name)) invalid.set(name, EXPECTED[name as keyof typeof EXPECTED] ?? describeIssue(issue));
  }
  const hostUrl = cleaned.HOST !== undefined && URL_IN_HOST.test(cleaned.HOST.trim()) ? httpUrl.safeParse(cleaned.HOST.trim()) : undefined;
  if (hostUrl && !hostUrl.success) invalid.set("HOST", "an http(s) value must be a valid URL (the app's URL, as `shopify app dev` sets it)");
  const problems = [...invalid].map(([name, text]) => `${name}: ${text}`);
  const warnings: string[] = [];

  // Cross-variable rules read the raw strings so they are reported even when a type check failed,
  // but not on top of a variable already reported: one wrong value gives one line.
  const nodeEnv = cleaned.NODE_ENV ?? "development";
  const sandboxRaw = cleaned.SHOPIFY_SANDBOX;
  const sandbox = sandboxRaw === undefined ? cleaned.SHOPIFY_API_KEY === undefined : sandboxRaw === "true" || sandboxRaw === "1";
  const sandboxKnown = !invalid.has("SHOPIFY_SANDBOX");
  if (sandboxKnown && sandbox && nodeEnv === "production") {
    problems.push("SHOPIFY_SANDBOX: sandbox mode is refused when NODE_ENV=production; set SHOPIFY_API_KEY and SHOPIFY_API_SECRET");
  }
  if (sandboxKnown && !sandbox && !cleaned.SHOPIFY_API_KEY) problems.push("SHOPIFY_API_KEY: required outside sandbox mode");
  // The sandbox hands out session tokens signed with the app secret (to its own page): with a
  // real app's secret those would be valid for any shop of that app.
  if (sandboxKnown && sandbox && cleaned.SHOPIFY_API_SECRET?.startsWith("shpss_")) {
    problems.push("SHOPIFY_API_SECRET: sandbox mode never signs with a real app secret (shpss_…); set SHOPIFY_API_KEY to run against Shopify, or use a test secret of your own");
  }
  if (sandboxKnown && !sandbox && !cleaned.SHOPIFY_API_SECRET) problems.push("SHOPIFY_API_SECRET: required outside sandbox mode");

  const simulated = cleaned.MOUSESTATS_PARTNER_ID === undefined && cleaned.MOUSESTATS_PARTNER_SECRET === undefined;
  if (!simulated && (!cleaned.MOUSESTATS_PARTNER_ID || !cleaned.MOUSESTATS_PARTNER_SECRET)) {
    problems.push("MOUSESTATS_PARTNER_ID and MOUSESTATS_PARTNER_SECRET: set both, or neither to use the bundled simulator");
  }
  if (nodeEnv === "production" && cleaned.SHOPIFY_APP_URL === undefined && hostUrl === undefined) {
    problems.push("SHOPIFY_APP_URL: required when NODE_ENV=production (the public https URL of the app)");
  }
  if (simulated && nodeEnv === "production") {
    problems.push("MOUSESTATS_PARTNER_ID: the bundled simulator is refused when NODE_ENV=production; set the reseller credentials");
  }

  const encryptionKey = parseEncryptionKey(cleaned.APP_ENCRYPTION_KEY ?? (sandbox ? SANDBOX_ENCRYPTION_KEY : undefined));
  if (typeof encryptionKey === "string" && (sandboxKnown || cleaned.APP_ENCRYPTION_KEY !== undefined)) problems.push(`APP_ENCRYPTION_KEY: ${encryptionKey}`);

  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;

  const appUrl = e.SHOPIFY_APP_URL ?? hostUrl?.data ?? `http://localhost:${e.PORT}`;
  const loopback = `http://127.0.0.1:${e.PORT}${SIMULATOR_MOUNT_PATH}/api`;
  const loginUrl = simulated ? `${appUrl}${SIMULATOR_MOUNT_PATH}/api/doLogin` : e.MOUSESTATS_LOGIN_URL;
  if (!sandbox && loginUrl.startsWith("http:")) {
    warnings.push("MOUSESTATS_LOGIN_URL is plain http: login tokens would cross the network in clear; use https (a custom domain works)");
  }

  const config: AppConfig = {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    // Like Shopify's app template (vite.config.ts): a URL in HOST is the app URL, not an address.
    host: hostUrl ? undefined : e.HOST,
    databaseUrl: e.DATABASE_URL,
    sqliteSynchronous: e.SQLITE_SYNCHRONOUS,
    logLevel: e.LOG_LEVEL,
    shopify: {
      apiKey: e.SHOPIFY_API_KEY ?? SANDBOX_API_KEY,
      apiSecret: e.SHOPIFY_API_SECRET ?? SANDBOX_API_SECRET,
      appUrl,
      appUrlFromPort: e.SHOPIFY_APP_URL === undefined && hostUrl === undefined,
      sandbox,
    },
    mousestats: {
      simulated,
      partnerId: e.MOUSESTATS_PARTNER_ID ?? SIMULATOR_PARTNER_ID,
      partnerSecret: e.MOUSESTATS_PARTNER_SECRET ?? SIMULATOR_PARTNER_SECRET,
      apiUrl: simulated ? loopback : e.MOUSESTATS_API_URL,
      loginUrl,
      activeFreePlan: e.MOUSESTATS_ACTIVE_FREE_PLAN,
      timeoutMs: e.MOUSESTATS_TIMEOUT_MS,
      simulatorLatencyMs: e.MOUSESTATS_SIMULATOR_LATENCY_MS,
    },
    loginTokenValidHours: e.LOGIN_TOKEN_VALID_HOURS,
    addonSkus: e.ADDON_SKUS.split(",").map((s) => s.trim().toLowerCase()).filter((s) => s.length > 0),
    addonProductUrl: e.ADDON_PRODUCT_URL,
    encryptionKey: encryptionKey as Buffer,
    metricsToken: e.METRICS_TOKEN,
    billing: {
      name: e.BILLING_PLAN_NAME, amount: e.BILLING_PRICE, currencyCode: e.BILLING_CURRENCY, interval: e.BILLING_INTERVAL,
      trialDays: e.BILLING_TRIAL_DAYS,
      // Decided here, never from NODE_ENV: real charges unless the reseller says otherwise (sandbox mode has no real money).
      test: e.BILLING_TEST ?? sandbox,
    },
    support: { email: e.SUPPORT_EMAIL, url: e.SUPPORT_URL },
  };
  return { config: deepFreeze(config), warnings };
}

function parseEncryptionKey(raw: string | undefined): Buffer | string {
  raw = raw?.trim();
  if (!raw) return "required outside sandbox mode (32 bytes, base64 or 64 hex characters)";
  const key = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, "hex") : Buffer.from(raw, "base64");
  return key.length === 32 ? key : "must be 32 bytes, given as base64 or 64 hex characters";
}

/**
 * A plain sentence for a zod issue. Our own messages in the schema start with "must" and pass
 * through; zod's own are never used: they are worded for developers and may quote the value.
 */
function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.message.startsWith("must ")) return issue.message;
  switch (issue.code) {
    case "invalid_type": return issue.expected === "number" ? "must be a number" : `must be a ${issue.expected}`;
    case "invalid_value": return `must be one of ${issue.values.map(String).join(", ")}`;
    case "invalid_format": return issue.format === "url" ? "must be an http(s) URL" : `must be a valid ${issue.format}`;
    case "too_small": return issue.origin === "string" ? `must be at least ${issue.minimum} characters` : `must be at least ${issue.minimum}`;
    case "too_big": return issue.origin === "string" ? `must be at most ${issue.maximum} characters` : `must be at most ${issue.maximum}`;
    case "custom": return issue.message;
    default: return "is not valid";
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Buffer.isBuffer(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * The config once the server listens: with `PORT=0` the real port is known only then, and the
 * default app URL and the bundled simulator's URLs follow it.
 */
export function withListenPort(config: AppConfig, port: number): AppConfig {
  if (port === config.port) return config;
  const appUrl = config.shopify.appUrlFromPort ? `http://localhost:${port}` : config.shopify.appUrl;
  const mousestats = config.mousestats.simulated
    ? { ...config.mousestats, apiUrl: `http://127.0.0.1:${port}${SIMULATOR_MOUNT_PATH}/api`, loginUrl: `${appUrl}${SIMULATOR_MOUNT_PATH}/api/doLogin` }
    : config.mousestats;
  return deepFreeze({ ...config, port, shopify: { ...config.shopify, appUrl }, mousestats });
}

/** For entry points (`npm start`, the CLIs): the parsed config, or every problem on stderr and exit 1. */
export function loadConfigOrExit(): ParsedConfig {
  try {
    return parseConfig(loadEnv());
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
