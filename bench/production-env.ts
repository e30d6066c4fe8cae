import { randomBytes } from "node:crypto";

/** Credentials of the benchmark's app; nothing here is a real secret. */
export const BENCH_APP = {
  apiKey: "bench-api-key",
  apiSecret: "bench-api-secret",
  partnerId: "bench-partner",
  partnerSecret: "bench-partner-secret",
  addonSku: "MOUSESTATS-HEATMAPS",
  /** `/metrics` answers only with it in production. */
  metricsToken: "bench-metrics-token-0123456789",
} as const;

/**
 * The environment of the app in production mode (`NODE_ENV=production`: real Shopify adapter,
 * no sandbox, no bundled simulator), with MouseStats pointed at the simulator the bench serves.
 */
export function productionEnv(options: { databaseUrl: string; mousestatsApiUrl: string; extra?: Record<string, string> }): Record<string, string> {
  return {
    NODE_ENV: "production",
    DATABASE_URL: options.databaseUrl,
    SHOPIFY_API_KEY: BENCH_APP.apiKey,
    SHOPIFY_API_SECRET: BENCH_APP.apiSecret,
    SHOPIFY_APP_URL: "https://bench.example.com",
    APP_ENCRYPTION_KEY: ENCRYPTION_KEY,
    MOUSESTATS_PARTNER_ID: BENCH_APP.partnerId,
    MOUSESTATS_PARTNER_SECRET: BENCH_APP.partnerSecret,
    MOUSESTATS_API_URL: options.mousestatsApiUrl,
    MOUSESTATS_LOGIN_URL: "https://heatmaps.example.com/api/doLogin",
    ADDON_SKUS: BENCH_APP.addonSku,
    METRICS_TOKEN: BENCH_APP.metricsToken,
    ...options.extra,
  };
}

/** One key per bench run: the seeding step encrypts sessions with it, the app decrypts them. */
export const ENCRYPTION_KEY = randomBytes(32).toString("hex");
