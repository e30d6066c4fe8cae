import type { SoakProgress, SoakResult } from "./run-soak.ts";
import { percentile } from "./webhook-sender.ts";

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const latency = (samples: readonly number[]) =>
  `${percentile(samples, 0.5).toFixed(1)} / ${percentile(samples, 0.99).toFixed(1)} / ${samples.reduce((a, b) => Math.max(a, b), 0).toFixed(0)} ms`;

export function formatProgress(p: SoakProgress): string {
  return `[${s(p.elapsedMs)}] ${p.phase}: sent ${p.dispatched}/${p.total} · acked ${p.acked} · accounts ${Math.max(0, p.accountsActive)}/${p.accountsExpected}`
    + ` · crashes ${p.crashes} · jobs open ${Math.max(0, p.jobsOpen)}`;
}

/** The final table: what was sent, what came back, what MouseStats saw, and how long it took. */
export function formatSoakTable(r: SoakResult): string {
  const { sender: st, findings: f, options: o } = r;
  const rate = st.lastDispatchAt > st.firstDispatchAt ? (st.dispatched / ((st.lastDispatchAt - st.firstDispatchAt) / 1000)).toFixed(0) : "-";
  const statuses = [...st.byStatus].sort(([a], [b]) => a - b).map(([code, n]) => `${code}×${n}`).join(" ");
  const rows: Array<[string, string]> = [
    ["database, instances", `${r.database === "postgres" ? "PostgreSQL (graphile-worker)" : "SQLite"}, ${r.instances} app process${r.instances === 1 ? "" : "es"}${r.instances > 1 ? " (webhooks spread over them)" : ""}`],
    ["webhooks sent", `${st.dispatched} at ${rate}/s (${st.requests} HTTP requests, ${st.networkErrors} refused/reset while down)`],
    ["accepted (valid events acked)", `${f.acceptedEvents}`],
    ["duplicates (re-deliveries)", `${r.planned.duplicates} (half sent alongside the original)`],
    ["forged HMAC", `${r.planned.forged} → 401`],
    ["malformed", `${r.planned.malformed} → 400`],
    ["unexpected shape (signed JSON)", `${r.planned.unexpected} → 200, ${f.unprocessableKept} kept whole as unprocessable`],
    ["answers", statuses],
    ["5xx while up", `${st.serverErrors.length}`],
    ["webhook answer p50 / p99 / max", `${latency(st.latenciesMs)} (app up and settled; ${st.timeouts} over 5 s)`],
    ["  … sent down or < 5 s after a restart", `${latency(st.recoveryLatenciesMs)} (${st.recoveryLatenciesMs.length} answers, ${st.recoveryTimeouts} over 5 s)`],
    ["crashes (SIGKILL + restart)", `${r.crashes}${r.instances > 1 ? ", one instance at a time" : ""} (down ${s(r.downtimeMs)} in all)`],
    ["accounts expected / created", `${f.accountsExpected} / ${f.accountsActive} active (${f.accountsAtMouseStats} at MouseStats)`],
    ["CreateAccount calls", `${f.createCallsArrived + f.createErrorTexts} arrived, ${f.createErrorTexts} answered with an error text, ${f.createCallsReached} took effect (max ${f.maxCreatesPerEmail} per email)`],
    ["pre-existing MouseStats account", `${f.preexisting.underReview} mapping(s) under review, ${f.preexisting.attached} attached`],
    ["buyers' page (app proxy)", `${r.buyers.openedByBuyer} order accounts opened by their buyer, ${r.buyers.refusedOthers} attempts by anyone else refused`],
    ["shop whose email changed", `own account(s): ${f.renamedShopAccounts.join(", ") || "none"}`],
    ["MouseStats calls", `${r.mousestatsCalls} (${Math.round(o.faults.errorRate * 100)}% ${o.faults.errorStatuses.join("/")}, ${Math.round(o.faults.hangRate * 1000) / 10}% hangs, ${o.faults.latencyMs.join("–")} ms)`],
    ["jobs", Object.entries(f.jobsByStatus).map(([k, n]) => `${k} ${n}`).join(", ")],
    ["attempts per provisioning", f.provisionAttempts
      ? `p50 ${percentile(f.provisionAttempts, 0.5)}, p90 ${percentile(f.provisionAttempts, 0.9)}, max ${percentile(f.provisionAttempts, 1)} (12 allowed)`
      : "not kept (graphile-worker deletes a job once it succeeds)"],
    ["time sending", s(r.sendMs)],
    ["time to drain", s(r.drainMs)],
    ["SIGTERM at the end", r.stop.map((x) => `exit ${x.exit} in ${x.tookMs} ms`).join(", ")],
    ["total", s(r.totalMs)],
    ["result", r.ok ? "PASS" : `FAIL (${r.problems.length} problems)`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join("\n");
}

