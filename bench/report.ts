import type { IngestResult } from "./ingest-bench.ts";
import { renderPostgresIngest, type PostgresIngestResult } from "./ingest-postgres.ts";
import type { LoginLinkResult } from "./login-link-bench.ts";
import type { PageResult } from "./page-bench.ts";
import type { ProvisioningResult } from "./provisioning-bench.ts";
import type { StartupResult } from "./startup-bench.ts";

export interface BenchResults {
  machine: { node: string; cores: number; pinning: string; loadAverageBefore: number[]; loadAverageAfter: number[] };
  ingest: IngestResult;
  ingestPostgres?: PostgresIngestResult;
  provisioning: ProvisioningResult;
  loginLink: LoginLinkResult;
  startup: StartupResult;
  page: PageResult;
  targets: Target[];
  /** Signs that other work on the machine distorted the run (see noiseWarnings). */
  noise: string[];
  elapsedS: number;
}

export interface Target {
  name: string;
  value: string;
  target: string;
  met: boolean;
}

const n = (v: number, digits = 0) => v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (v: number) => (v < 10 ? n(v, 2) : n(v, 1));
const pct = (v: number) => `${n(v * 100, 1)}%`;

const otherAnswers = (i: IngestResult) => [...i.appRounds, ...i.normalRounds, ...i.fixedRateRounds]
  .reduce((total, run) => total + Object.entries(run.statuses).reduce((k, [status, count]) => k + (status === "200" ? 0 : count), 0), 0);

export function targetsOf(r: Omit<BenchResults, "targets" | "noise" | "elapsedS" | "machine">): Target[] {
  return [
    {
      name: "every webhook answered 200 is stored", value: `${n(r.ingest.storedEvents)} / ${n(r.ingest.answered200)}`, target: "all, no other answers",
      met: r.ingest.storedEvents === r.ingest.answered200 && otherAnswers(r.ingest) === 0,
    },
    { name: "webhook ingest vs bare node:http (FULL)", value: pct(r.ingest.ratio), target: "≥ 50%", met: r.ingest.ratio >= 0.5 },
    { name: "webhook p99 at 1,000 req/s (median round)", value: `${ms(r.ingest.fixedRate.latencyMs.p99)} ms`, target: "< 10 ms", met: r.ingest.fixedRate.latencyMs.p99 < 10 },
    { name: "ingest vs the official stack", value: `${n(r.ingest.peerRatio, 1)}×`, target: "≥ 10×", met: r.ingest.peerRatio >= 10 },
    {
      name: "peak RSS under ingest vs the official stack", value: `${n(r.ingest.memory.appPeakMiB)} / ${n(r.ingest.memory.peerPeakMiB)} MiB`, target: "less",
      met: r.ingest.memory.appPeakMiB < r.ingest.memory.peerPeakMiB,
    },
    { name: "peak RSS under the ingest bench", value: `${n(r.ingest.memory.appPeakMiB)} MiB`, target: "≤ 150 MiB", met: r.ingest.memory.appPeakMiB <= 150 },
    { name: "idle RSS after start-up", value: `${n(r.ingest.memory.appIdleMiB)} MiB`, target: "≤ 90 MiB", met: r.ingest.memory.appIdleMiB <= 90 },
    { name: "provisioning vs theoretical limit", value: pct(r.provisioning.ratio), target: "≥ 90%", met: r.provisioning.ratio >= 0.9 },
    { name: "login link overhead p99", value: `${ms(r.loginLink.overheadMs.p99)} ms`, target: "< 5 ms", met: r.loginLink.overheadMs.p99 < 5 },
    { name: "start-up to /readyz (median of 10)", value: `${n(r.startup.medianMs)} ms`, target: "< 500 ms", met: r.startup.medianMs < 500 },
    { name: "own page assets, heaviest language", value: `${n(r.page.ownBytes / 1024, 1)} KB`, target: "< 40 KB", met: r.page.ownBytes < 40 * 1024 },
  ];
}

/** Signs that other work on the machine distorted this run; empty when it looked quiet. */
export function noiseWarnings(r: Omit<BenchResults, "noise">): string[] {
  const i = r.ingest;
  const others = Math.max(...[...i.baselineRounds, ...i.appRounds, ...i.normalRounds, ...i.fixedRateRounds, ...i.peerRounds].map((x) => x.otherLoadOnServerCore));
  const lag = Math.max(...i.fixedRateRounds.map((x) => x.sendLagMs?.p99 ?? 0));
  const load = Math.max(r.machine.loadAverageBefore[0] ?? 0, r.machine.loadAverageAfter[0] ?? 0);
  const signs = [
    load > r.machine.cores / 2 && `load average ${n(load, 1)} on ${r.machine.cores} cores`,
    others > 0.1 && `other processes took up to ${pct(others)} of the app's core`,
    lag > 5 && `the load generator itself was held up (send lag p99 up to ${ms(lag)} ms)`,
  ].filter((x): x is string => typeof x === "string");
  return signs.length ? [`WARNING: the machine was busy with other work (${signs.join("; ")}): these numbers undersell the app; re-run on a quiet machine.`] : [];
}

/** The table `npm run bench` prints. */
export function renderReport(r: BenchResults): string {
  const { ingest: i, provisioning: p, loginLink: l, startup: s, page: g } = r;
  const row = (cells: string[], widths: number[]) => cells.map((c, k) => (k === 0 ? c.padEnd(widths[k]!) : c.padStart(widths[k]!))).join("  ");
  const w = [34, 9, 8, 8, 9, 10, 10];
  const closed = (label: string, c: IngestResult["app"]) =>
    row([label, n(c.requestsPerS), ms(c.latencyMs.p50), ms(c.latencyMs.p99), n(c.rssMiB), n(c.serverCpu, 2), n(c.generatorCpu, 2)], w);
  const lines = [
    `Benchmarks: Node ${r.machine.node}, ${r.machine.cores} cores; ${r.machine.pinning}`,
    `Load average before/after: ${r.machine.loadAverageBefore.join(" ")} / ${r.machine.loadAverageAfter.join(" ")}`,
    ...r.noise,
    "",
    `1. Webhook ingest: signed orders/paid deliveries (${n(i.bodyBytes)} B bodies, unique event ids), ${i.connections} connections,`,
    `   ${i.appRounds.length} rounds of ${n(i.app.requests)} requests each (a baseline run and an app run back to back); the median round of each is shown`,
    row(["", "req/s", "p50 ms", "p99 ms", "RSS MiB", "server CPU", "load CPU"], w),
    closed("  bare node:http (baseline)", i.baseline),
    closed("  app, production, SQLite FULL", i.app),
    closed("  app, SQLITE_SYNCHRONOUS=NORMAL", i.normal),
    `  ratio to baseline: ${pct(i.ratio)} with synchronous FULL (the default: every 200 on disk, power cut included), ${pct(i.normalRatio)} with NORMAL;`,
    `   the median of ${i.roundRatios.length} rounds run back to back (FULL ${i.roundRatios.map(pct).join(" / ")})`,
    `   rounds: baseline ${i.baselineRounds.map((x) => n(x.requestsPerS)).join(" / ")}, app ${i.appRounds.map((x) => n(x.requestsPerS)).join(" / ")}, NORMAL ${i.normalRounds.map((x) => n(x.requestsPerS)).join(" / ")} req/s`,
    `  other processes on the server core: ${pct(i.baseline.otherLoadOnServerCore)} (baseline), ${pct(i.app.otherLoadOnServerCore)} (app)`,
    `  fixed ${n(i.fixedRate.requestsPerS)} req/s, open loop, ${i.fixedRateRounds.length} rounds of ${n(i.fixedRate.requests)}: median p99 ${ms(i.fixedRate.latencyMs.p99)} ms (p50 ${ms(i.fixedRate.latencyMs.p50)} ms);`,
    `   p99 by round ${i.fixedRateRounds.map((x) => ms(x.latencyMs.p99)).join(" / ")} ms, max ${i.fixedRateRounds.map((x) => ms(x.latencyMs.max)).join(" / ")} ms; generator send lag p99 ${i.fixedRateRounds.map((x) => ms(x.sendLagMs?.p99 ?? NaN)).join(" / ")} ms`,
    `  durability check: ${n(i.storedEvents)} events stored for ${n(i.answered200)} answers 200; other answers: ${n(otherAnswers(i))}`,
    ...renderPostgresIngest(r.ingestPostgres),
    "",
    `   the official stack (express + @shopify/shopify-app-express processWebhooks, default logging, one insert per request), rounds of ${n(i.peer.requests)}:`,
    row(["", "req/s", "p50 ms", "p99 ms", "RSS MiB", "server CPU", "load CPU"], w),
    closed("  official stack", i.peer),
    `   rounds: ${i.peerRounds.map((x) => n(x.requestsPerS)).join(" / ")} req/s; app ÷ official, the median of ${i.peerRounds.length} rounds: ${n(i.peerRatio, 1)}×`,
    `  at ${n(i.peerFixedRate.requestsPerS)} req/s, median p99: app ${ms(i.fixedRate.latencyMs.p99)} ms, official ${ms(i.peerFixedRate.latencyMs.p99)} ms (official by round ${i.peerFixedRateRounds.map((x) => ms(x.latencyMs.p99)).join(" / ")} ms)`,
    `  closed-loop p99: app ${ms(i.app.latencyMs.p99)} ms, official ${ms(i.peer.latencyMs.p99)} ms`,
    `  memory (RSS): app ${n(i.memory.appIdleMiB)} MiB idle after start-up, ${n(i.memory.appPeakMiB)} MiB peak; official ${n(i.memory.peerIdleMiB)} MiB idle, ${n(i.memory.peerPeakMiB)} MiB peak`,
    "",
    `2. Provisioning: ${n(p.orders)} add-on orders, MouseStats latency ${p.latencyMs} ms, worker concurrency ${p.concurrency}`,
    `  ${n(p.accountsPerS, 1)} accounts/s vs limit ${n(p.theoreticalPerS, 1)} (= ${p.concurrency} / (${n(p.callsPerAccount, 2)} calls × ${p.latencyMs} ms)): ${pct(p.ratio)}; ${p.activeAccounts === p.orders ? `all active after ${n(p.elapsedS, 1)} s` : `ONLY ${n(p.activeAccounts)} ACTIVE when the ${n(p.elapsedS)} s limit ran out`}`,
    `  webhook to active: p50 ${n(p.webhookToActiveMs.p50)} ms, p99 ${n(p.webhookToActiveMs.p99)} ms`,
    "",
    `3. Login link (${l.requests} requests, one at a time)`,
    `  total p50 ${ms(l.totalMs.p50)} ms, p99 ${ms(l.totalMs.p99)} ms; MouseStats call as the app waited for it p50 ${ms(l.mousestatsMs.p50)} ms, p99 ${ms(l.mousestatsMs.p99)} ms (simulator handler p50 ${ms(l.simulatorMs.p50)} ms)`,
    `  app's added time (its answer time minus the call, from Server-Timing) p50 ${ms(l.overheadMs.p50)} ms, p90 ${ms(l.overheadMs.p90)} ms, p99 ${ms(l.overheadMs.p99)} ms`,
    `  round trip minus the call (adds HTTP parsing, loopback and this process's pauses) p50 ${ms(l.roundTripOverheadMs.p50)} ms, p99 ${ms(l.roundTripOverheadMs.p99)} ms`,
    `  the app's own histogram: ${pct(l.serverShareUnder5ms)} of login links answered within 5 ms (MouseStats call included)`,
    "",
    `4. Start-up to /readyz, new database with migrations: median ${n(s.medianMs)} ms (runs: ${s.runs.map((v) => n(v)).join(", ")})`,
    `   with an empty compile cache (the first start after an install or upgrade): ${n(s.coldMs)} ms`,
    `   yardstick, same run: an empty Node.js process (node -e 0) starts and exits in ${n(s.nodeBootMedianMs)} ms (median)`,
    "",
    `5. Page (${g.requests} requests each, loopback round trips)`,
    `  GET /healthz p50 ${ms(g.healthzMs.p50)} ms; GET / p50 ${ms(g.pageMs.p50)} ms, p99 ${ms(g.pageMs.p99)} ms; GET /api/account p50 ${ms(g.accountMs.p50)} ms, p99 ${ms(g.accountMs.p99)} ms`,
    `  own assets (${g.language}, the heaviest language): ${g.assets.map((a) => `${a.path} ${n(a.bytes)} B`).join(", ")}`,
    `  by language: ${Object.entries(g.ownBytesByLanguage).map(([lang, bytes]) => `${lang} ${n(bytes)} B`).join(", ")}`,
    `  total ${n(g.ownBytes)} B (${n(g.ownBytes / 1024, 1)} KB; gzip ${n(g.ownGzipBytes / 1024, 1)} KB)`,
    "",
    "Targets",
    ...r.targets.map((t) => `  ${t.met ? "met   " : "MISSED"}  ${t.name.padEnd(44)} ${t.value.padStart(10)}  (${t.target})`),
    "",
    ...r.noise,
    `Finished in ${n(r.elapsedS)} s; results in bench/results.json`,
  ];
  return lines.join("\n");
}
