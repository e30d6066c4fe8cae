import { gzipSync } from "node:zlib";
import { createSessionTokenSigner } from "../src/shopify/session-token.ts";
import { PAGE_LANGUAGES } from "../src/web/page/page-locale.ts";
import type { HttpTimer } from "./http-timer.ts";
import { BENCH_APP } from "./production-env.ts";
import { seededShop } from "./seed-shops.ts";
import { summarize, type LatencySummary } from "./stats.ts";

export interface PageResult {
  requests: number;
  /** Round trips on loopback with a keep-alive client; `/healthz` is the floor (a route doing nothing). */
  healthzMs: LatencySummary;
  pageMs: LatencySummary;
  accountMs: LatencySummary;
  /**
   * Our own bytes: the HTML of `GET /` and the same-origin scripts, stylesheets and icon it loads
   * (CDN ones excluded), for the page's heaviest language (each loads only its own messages).
   */
  assets: Array<{ path: string; bytes: number; gzipBytes: number }>;
  language: string;
  ownBytes: number;
  ownGzipBytes: number;
  /** The same total for each language. */
  ownBytesByLanguage: Record<string, number>;
}

/** Page: server time of `GET /` and `GET /api/account` (a fresh active account), and the page's own weight. */
export async function benchPage(options: { http: HttpTimer; shops: number; warmup?: number; requests?: number }): Promise<PageResult> {
  const { http } = options;
  const warmup = options.warmup ?? 50;
  const count = options.requests ?? 300;
  const signer = createSessionTokenSigner({ apiKey: BENCH_APP.apiKey, apiSecret: BENCH_APP.apiSecret });
  const series = async (request: (i: number) => Promise<{ status: number; ms: number }>) => {
    const times: number[] = [];
    for (let i = 0; i < warmup + count; i++) {
      const res = await request(i);
      if (res.status !== 200) throw new Error(`answered ${res.status}`);
      if (i >= warmup) times.push(res.ms);
    }
    return summarize(times);
  };
  const pagePath = (shop: string) => `/?shop=${shop}&host=${Buffer.from(`admin.shopify.com/store/${shop.split(".")[0]}`).toString("base64url")}&embedded=1`;
  const healthzMs = await series(() => http.time("GET", "/healthz"));
  const pageMs = await series((i) => http.time("GET", `${pagePath(seededShop(i % options.shops))}&id_token=${signer.sign({ shop: seededShop(i % options.shops), now: Date.now() })}`));
  const accountMs = await series((i) => http.time("GET", "/api/account", {
    authorization: `Bearer ${signer.sign({ shop: seededShop(i % options.shops), now: Date.now() })}`,
  }));

  const weigh = async (language: string) => {
    const html = (await http.time("GET", `${pagePath(seededShop(0))}&locale=${language}`)).body;
    const own = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*\shref)="(\/[^"]*)"/g)].map((m) => m[1]!);
    const assets = [{ path: "/ (HTML)", text: html }];
    for (const path of own) assets.push({ path: path.replace(/\?.*$/, ""), text: (await http.time("GET", path)).body });
    const sized = assets.map((a) => ({ path: a.path, bytes: Buffer.byteLength(a.text), gzipBytes: gzipSync(a.text).length }));
    return { language, assets: sized, ownBytes: sized.reduce((n, a) => n + a.bytes, 0), ownGzipBytes: sized.reduce((n, a) => n + a.gzipBytes, 0) };
  };
  const weights = [];
  for (const language of PAGE_LANGUAGES) weights.push(await weigh(language));
  const heaviest = weights.reduce((a, b) => (b.ownBytes > a.ownBytes ? b : a));
  return {
    requests: count, healthzMs, pageMs, accountMs, ...heaviest,
    ownBytesByLanguage: Object.fromEntries(weights.map((w) => [w.language, w.ownBytes])),
  };
}
