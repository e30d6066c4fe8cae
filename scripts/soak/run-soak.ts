import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Sqlite from "better-sqlite3";
import { SANDBOX_API_SECRET } from "../../src/config.ts";
import { closedLoopbackPort } from "../../src/mousestats/serve-loopback.ts";
import { createAppSupervisor } from "./app-supervisor.ts";
import { checkBuyerReach, type BuyerReach } from "./buyer-reach.ts";
import { startHostileSimulator, type HostileFaults } from "./hostile-simulator.ts";
import { checkSoak, type SoakFindings } from "./soak-checks.ts";
import { buildSoakPlan, seededRandom } from "./webhook-plan.ts";
import { createWebhookSender, type SenderStats } from "./webhook-sender.ts";

export interface SoakOptions {
  webhooks: number;
  shops: number;
  ratePerS: number;
  crashes: number;
  seed: number;
  faults: HostileFaults;
  /** MOUSESTATS_TIMEOUT_MS: what a hang costs. */
  mousestatsTimeoutMs: number;
  drainTimeoutMs: number;
  /** More environment for the app (e.g. `NODE_OPTIONS: "--cpu-prof"` to profile a run). */
  appEnv?: Record<string, string>;
  onProgress?: (progress: SoakProgress) => void;
}

export interface SoakProgress {
  dispatched: number; total: number; acked: number; accountsActive: number; accountsExpected: number;
  crashes: number; jobsOpen: number; elapsedMs: number; phase: "sending" | "draining";
}

export interface SoakResult {
  ok: boolean;
  problems: string[];
  options: SoakOptions;
  sender: SenderStats;
  findings: SoakFindings;
  crashes: number;
  downtimeMs: number;
  sendMs: number;
  drainMs: number;
  totalMs: number;
  stop: { exit: number | string; tookMs: number };
  mousestatsCalls: number;
  planned: { duplicates: number; forged: number; malformed: number; unexpected: number };
  /** Order accounts opened by their buyer through /proxy/open, and attempts by anyone else refused. */
  buyers: BuyerReach;
}

export const ADDON_SKUS = ["mousestats-heatmaps", "ms-heatmaps-yearly"];
/** This shop's owner already has a MouseStats account (not made by the app): it must never be attached without an operator. */
export const PREEXISTING_SHOP = 2;
/** This shop's email changes in Shopify once it has its account: it must keep that account. */
export const RENAMED_SHOP = 1;
/**
 * After a restart, answers are counted apart this long: the deliveries retried meanwhile arrive
 * together with the new ones, on a process that starts cold with a job backlog.
 */
const RECOVERY_WINDOW_MS = 5000;

/**
 * The soak: the real app as a child process against a hostile simulator, a storm of webhooks
 * with duplicates, forgeries and malformed ones, SIGKILLs mid-run, then a drain and the checks.
 */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const startedAt = Date.now();
  const dir = mkdtempSync(join(tmpdir(), "mousestats-soak-"));
  const dbPath = join(dir, "app.db");
  const hostile = await startHostileSimulator(options.faults, seededRandom(options.seed + 1));
  const app = createAppSupervisor({
    port: await closedLoopbackPort(),
    env: {
      DATABASE_URL: dbPath, LOG_LEVEL: "warn", ADDON_SKUS: ADDON_SKUS.join(","),
      MOUSESTATS_PARTNER_ID: hostile.partnerId, MOUSESTATS_PARTNER_SECRET: hostile.partnerSecret,
      MOUSESTATS_API_URL: hostile.apiUrl, MOUSESTATS_TIMEOUT_MS: String(options.mousestatsTimeoutMs),
      ...options.appEnv,
    },
  });
  const plan = buildSoakPlan({ webhooks: options.webhooks, shops: options.shops, seed: options.seed, appSecret: SANDBOX_API_SECRET, addonSkus: ADDON_SKUS });
  const preexistingEmail = plan.ownerEmail(PREEXISTING_SHOP);
  hostile.sim.accounts.set(preexistingEmail, {
    email: preexistingEmail, password: "not-the-apps", planName: "Someone's own", planDaysLeft: 99,
    usage: { heatmapProjects: 1, playbackProjects: 1, heatmapVisits: 1, playbackVisits: 1 },
  });
  const renamed = { shop: plan.shopDomain(RENAMED_SHOP), email: plan.ownerEmail(RENAMED_SHOP), changedTo: `renamed-${plan.ownerEmail(RENAMED_SHOP)}`, done: false };
  const accountsExpected = new Set(plan.events.flatMap((e) => (e.effect ? [e.effect.email] : []))).size;
  const crashAt = new Set(Array.from({ length: options.crashes }, (_, i) => Math.floor((options.webhooks * (i + 1)) / (options.crashes + 1))));
  let crashes = 0;
  let downtimeMs = 0;
  let crashing: Promise<void> = Promise.resolve();
  let settledAt = 0;
  let phase: SoakProgress["phase"] = "sending";
  const sender = createWebhookSender({
    baseUrl: () => app.url, ratePerS: options.ratePerS, random: seededRandom(options.seed + 2),
    recovering: () => !app.up || Date.now() < settledAt,
    onDispatch: (index) => {
      if (!crashAt.has(index)) return;
      crashing = crashing.then(async () => {
        const downAt = Date.now();
        await app.kill();
        crashes++;
        await app.start();
        downtimeMs += Date.now() - downAt;
        settledAt = Date.now() + RECOVERY_WINDOW_MS;
      });
    },
  });

  let reader: Sqlite.Database | undefined;
  const read = (sql: string) => {
    try {
      reader ??= new Sqlite(dbPath, { readonly: true, fileMustExist: true });
      return (reader.prepare(sql).get() as { n: number }).n;
    } catch {
      return -1; // not created yet, or busy: the next look will tell
    }
  };
  const jobsOpen = () => read("select count(*) n from jobs where status in ('pending', 'running')");
  // Once the renamed shop has its account, its email changes, as token exchange would write it.
  const renameWhenProvisioned = () => {
    if (renamed.done || read(`select count(*) n from shops where domain = '${renamed.shop}' and account_email is not null`) !== 1) return;
    const writer = new Sqlite(dbPath);
    try {
      writer.pragma("busy_timeout = 5000");
      writer.prepare("update shops set email = ? where domain = ?").run(renamed.changedTo, renamed.shop);
      renamed.done = true;
    } finally {
      writer.close();
    }
  };
  const progress = setInterval(() => { renameWhenProvisioned(); options.onProgress?.({
    dispatched: sender.stats.dispatched, total: options.webhooks, acked: sender.stats.acked.size, crashes, phase,
    accountsActive: read("select count(*) n from accounts where status = 'active'"), accountsExpected,
    jobsOpen: jobsOpen(), elapsedMs: Date.now() - startedAt,
  }); }, 500);

  const timings = { sendMs: 0, drainMs: 0 };
  let buyers: BuyerReach;
  const problems: string[] = [];
  let stopped: SoakResult["stop"] | undefined;
  try {
    await app.start();
    const sendStartedAt = Date.now();
    await sender.run(plan.deliveries);
    await crashing;
    timings.sendMs = Date.now() - sendStartedAt;
    phase = "draining";
    const drainStartedAt = Date.now();
    while (jobsOpen() !== 0) {
      if (Date.now() - drainStartedAt > options.drainTimeoutMs) {
        problems.push(`queue not drained within ${options.drainTimeoutMs / 1000} s: ${describeOpenJobs(reader, hostile.outcomes)}`);
        break;
      }
      await sleep(100);
    }
    timings.drainMs = Date.now() - drainStartedAt;
    buyers = await checkBuyerReach({ appUrl: app.url, dbPath, appSecret: SANDBOX_API_SECRET, stores: Array.from({ length: options.shops }, (_, i) => plan.shopDomain(i)) });
    problems.push(...buyers.problems);
  } finally {
    clearInterval(progress);
    reader?.close();
    stopped = await app.stop();
    await hostile.close();
  }
  const stop = stopped;
  if (stop.exit !== 0) problems.push(`SIGTERM after the drain: exit ${stop.exit} after ${stop.tookMs} ms\n${app.tail()}`);

  if (!renamed.done) problems.push(`the renamed shop ${renamed.shop} never got its account, so its email was never changed`);
  const findings = checkSoak({ dbPath, events: plan.events, sender: sender.stats, hostile, preexistingEmail, renamed });
  problems.push(...findings.problems);
  if (problems.length === 0) rmSync(dir, { recursive: true, force: true });
  else problems.push(`database kept for inspection: ${dbPath}\nlast app output:\n${app.tail(20)}`);
  return {
    ok: problems.length === 0, problems, options, sender: sender.stats, findings, crashes, downtimeMs, ...timings,
    totalMs: Date.now() - startedAt, stop, mousestatsCalls: hostile.sim.calls.length, buyers,
    planned: {
      duplicates: plan.deliveries.filter((d) => d.duplicate).length,
      forged: plan.deliveries.filter((d) => d.event.kind === "forged").length,
      malformed: plan.deliveries.filter((d) => d.event.kind === "malformed").length,
      unexpected: plan.deliveries.filter((d) => d.event.kind === "unexpected").length,
    },
  };
}

/** Why the drain waits: each open job's attempts and when its backoff lets it run again. */
function describeOpenJobs(reader: Sqlite.Database | undefined, outcomes: Map<string, string[]>): string {
  const rows = (reader?.prepare("select kind, status, payload, attempts, run_at, last_error from jobs where status in ('pending', 'running') order by run_at desc limit 5").all() ?? []) as
    Array<{ kind: string; status: string; payload: string; attempts: number; run_at: number; last_error: string | null }>;
  return rows.map((j) => {
    const email = (JSON.parse(j.payload) as { email?: string }).email ?? "";
    return `${j.kind} ${j.status} after ${j.attempts} attempts, next run in ${Math.round((j.run_at - Date.now()) / 1000)} s (${j.last_error}); `
      + `MouseStats calls for ${email}: ${(outcomes.get(email) ?? []).join(", ")}`;
  }).join("\n");
}
