import { createSessionTokenSigner } from "../src/shopify/session-token.ts";
import { METRIC_PREFIX } from "../src/web/metrics.ts";
import type { HttpTimer } from "./http-timer.ts";
import { BENCH_APP } from "./production-env.ts";
import { seededShop } from "./seed-shops.ts";
import type { BenchSimulator } from "./simulator-server.ts";
import { summarize, type LatencySummary } from "./stats.ts";

export interface LoginLinkResult {
  requests: number;
  /** `POST /api/login-link` as the page sees it. */
  totalMs: LatencySummary;
  /** GenerateLoginToken as the app waited for it (its `Server-Timing: mousestats`): network and MouseStats. */
  mousestatsMs: LatencySummary;
  /** GenerateLoginToken inside the simulator's handler alone. */
  simulatorMs: LatencySummary;
  /**
   * The app's added time: its own answer time minus the MouseStats call, both from its
   * `Server-Timing` (session token, stored session, DB, routing, its HTTP client).
   */
  overheadMs: LatencySummary;
  /** Round trip minus the MouseStats call: adds node's HTTP parsing, loopback TCP and this process's own pauses. */
  roundTripOverheadMs: LatencySummary;
  /** Cross-check from the app's own request-duration histogram: share of login links it answered within 5 ms. */
  serverShareUnder5ms: number;
}

/** Login-link requests the app counted in its histogram: within 5 ms, and in all. */
async function serverHistogram(http: HttpTimer): Promise<{ under5ms: number; count: number }> {
  const text = (await http.time("GET", "/metrics", { authorization: `Bearer ${BENCH_APP.metricsToken}` })).body;
  const sum = (pattern: RegExp) => text.split("\n").filter((l) => l.includes('route="/api/login-link"') && pattern.test(l))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
  const metric = `${METRIC_PREFIX}http_request_duration_seconds`;
  return { under5ms: sum(new RegExp(`^${metric}_bucket\\{.*le="0\\.005"`)), count: sum(new RegExp(`^${metric}_count\\{`)) };
}

/**
 * Login link: one request at a time, each from another seeded shop (the limit is 10 links per
 * shop per minute), against the simulator with no added latency. The app's added time is its
 * answer time minus the MouseStats call as it waited for it, both from its `Server-Timing`
 * header. The round trip minus the call is reported too: it adds node's HTTP parsing, loopback
 * TCP and the pauses of this process (which also runs the simulator), none of them the app's.
 */
export async function benchLoginLink(options: { http: HttpTimer; simulator: BenchSimulator; firstShop: number; warmup?: number; requests?: number }): Promise<LoginLinkResult> {
  const { http, simulator } = options;
  const warmup = options.warmup ?? 50;
  const count = options.requests ?? 500;
  const signer = createSessionTokenSigner({ apiKey: BENCH_APP.apiKey, apiSecret: BENCH_APP.apiSecret });
  const totals: number[] = [];
  let before = { under5ms: 0, count: 0 };
  const calls: number[] = [];
  const simulated: number[] = [];
  const appTimes: number[] = [];
  for (let i = 0; i < warmup + count; i++) {
    const token = signer.sign({ shop: seededShop(options.firstShop + i), now: Date.now() });
    simulator.resetCounters();
    const res = await http.time("POST", "/api/login-link", { authorization: `Bearer ${token}` });
    if (res.status !== 200 || !res.body.includes("_token=")) throw new Error(`login link answered ${res.status}: ${res.body}`);
    const call = simulator.timings.find((t) => t.op === "GenerateLoginToken");
    if (!call) throw new Error("login link made no GenerateLoginToken call");
    const timing = String(res.headers["server-timing"] ?? "");
    const waited = /mousestats;dur=([\d.]+)/.exec(timing)?.[1];
    const answered = /app;dur=([\d.]+)/.exec(timing)?.[1];
    if (waited === undefined || answered === undefined) throw new Error(`login link answered without Server-Timing mousestats and app: ${timing}`);
    if (i === warmup - 1) before = await serverHistogram(http);
    if (i < warmup) continue;
    totals.push(res.ms);
    calls.push(Number(waited));
    appTimes.push(Number(answered));
    simulated.push(call.endMs - call.startMs);
  }
  const after = await serverHistogram(http);
  return {
    serverShareUnder5ms: (after.under5ms - before.under5ms) / (after.count - before.count),
    requests: count,
    totalMs: summarize(totals),
    mousestatsMs: summarize(calls),
    simulatorMs: summarize(simulated),
    overheadMs: summarize(appTimes.map((t, i) => t - calls[i]!)),
    roundTripOverheadMs: summarize(totals.map((t, i) => t - calls[i]!)),
  };
}
