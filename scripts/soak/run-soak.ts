import { setTimeout as sleep } from "node:timers/promises";
import { SANDBOX_API_SECRET } from "../../src/config.ts";
import { closedLoopbackPort } from "../../src/mousestats/serve-loopback.ts";
import { createAppSupervisor, type AppSupervisor } from "./app-supervisor.ts";
import { checkBuyerReach, type BuyerReach } from "./buyer-reach.ts";
import { startHostileSimulator, type HostileFaults } from "./hostile-simulator.ts";
import { checkSoak, type SoakFindings } from "./soak-checks.ts";
import { createSoakDatabase, type SoakDatabaseKind, type SoakReader } from "./soak-database.ts";
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
  /** @default "sqlite" */
  database?: SoakDatabaseKind;
  /** PostgreSQL: this server's database instead of a throwaway server of the soak's own (the test suite's). */
  postgresUrl?: string;
  /** App processes on the one database, webhooks spread over them; more than one needs PostgreSQL. @default 1 */
  instances?: number;
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
  /** SIGTERM at the end, per instance. */
  stop: Array<{ exit: number | string; tookMs: number }>;
  database: SoakDatabaseKind;
  instances: number;
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
 * The soak: the real app as child processes (one, or several on one PostgreSQL) against a
 * hostile simulator, a storm of webhooks with duplicates, forgeries and malformed ones spread
 * over the instances, SIGKILLs mid-run, then a drain and the checks.
 */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const startedAt = Date.now();
  const kind = options.database ?? "sqlite";
  const instances = options.instances ?? 1;
  if (instances < 1 || (instances > 1 && kind !== "postgres")) throw new Error(`${instances} instances need --database postgres (a SQLite file has one app process)`);
  const store = await createSoakDatabase(kind, { postgresUrl: options.postgresUrl });
  const hostile = await startHostileSimulator(options.faults, seededRandom(options.seed + 1));
  const env = {
    DATABASE_URL: store.url, LOG_LEVEL: "warn", ADDON_SKUS: ADDON_SKUS.join(","),
    MOUSESTATS_PARTNER_ID: hostile.partnerId, MOUSESTATS_PARTNER_SECRET: hostile.partnerSecret,
    MOUSESTATS_API_URL: hostile.apiUrl, MOUSESTATS_TIMEOUT_MS: String(options.mousestatsTimeoutMs),
    ...options.appEnv,
  };
  const apps: AppSupervisor[] = [];
  for (let i = 0; i < instances; i++) apps.push(createAppSupervisor({ port: await closedLoopbackPort(), env }));
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
  // A load balancer in front of the instances: each request (a retry too) goes to the next one,
  // up or not; a request to a killed instance fails to connect and is retried later, as Shopify does.
  let nextInstance = 0;
  const sender = createWebhookSender({
    baseUrl: () => apps[nextInstance++ % apps.length]!.url, ratePerS: options.ratePerS, random: seededRandom(options.seed + 2),
    recovering: () => apps.some((a) => !a.up) || Date.now() < settledAt,
    onDispatch: (index) => {
      if (!crashAt.has(index)) return;
      // Crash k kills instance k (mod their number): with two, each is killed once.
      const app = apps[crashes % apps.length]!;
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

  let reader: SoakReader | undefined;
  let lastLook = { accountsActive: -1, jobsOpen: -1 };
  const jobsOpen = async () => {
    if (!reader) return -1;
    const stats = await reader.backend.queue.stats();
    return stats.jobs.filter((j) => j.status !== "failed").reduce((n, j) => n + j.count, 0);
  };
  // Once the renamed shop has its account, its email changes, as token exchange would write it.
  const renameWhenProvisioned = async () => {
    if (!reader || renamed.done) return;
    const { database } = reader.backend;
    const provisioned = await database.statement<{ n: number }>("select count(*) n from shops where domain = @shop and account_email is not null").get({ shop: renamed.shop });
    if (Number(provisioned?.n) !== 1) return;
    await database.statement("update shops set email = @email where domain = @shop").run({ email: renamed.changedTo, shop: renamed.shop });
    renamed.done = true;
  };
  let looking = false;
  const look = async () => {
    if (!reader || looking) return;
    looking = true;
    try {
      await renameWhenProvisioned();
      const active = await reader.backend.database.statement<{ n: number }>("select count(*) n from accounts where status = 'active'").get();
      lastLook = { accountsActive: Number(active?.n ?? -1), jobsOpen: await jobsOpen() };
    } catch {
      // busy or restarting: the next look will tell
    } finally {
      looking = false;
    }
  };
  const progress = setInterval(() => { void look(); options.onProgress?.({
    dispatched: sender.stats.dispatched, total: options.webhooks, acked: sender.stats.acked.size, crashes, phase,
    accountsActive: lastLook.accountsActive, accountsExpected, jobsOpen: lastLook.jobsOpen, elapsedMs: Date.now() - startedAt,
  }); }, 500);

  const timings = { sendMs: 0, drainMs: 0 };
  let buyers: BuyerReach;
  let findings: SoakFindings;
  const problems: string[] = [];
  const stop: SoakResult["stop"] = [];
  try {
    await Promise.all(apps.map((a) => a.start()));
    reader = await store.open();
    const sendStartedAt = Date.now();
    await sender.run(plan.deliveries);
    await crashing;
    timings.sendMs = Date.now() - sendStartedAt;
    phase = "draining";
    const drainStartedAt = Date.now();
    while ((await jobsOpen()) !== 0) {
      if (Date.now() - drainStartedAt > options.drainTimeoutMs) {
        problems.push(`queue not drained within ${options.drainTimeoutMs / 1000} s: ${await describeOpenJobs(reader, hostile.outcomes)}`);
        break;
      }
      await sleep(100);
    }
    timings.drainMs = Date.now() - drainStartedAt;
    await look();
    buyers = await checkBuyerReach({ appUrl: apps[0]!.url, database: reader.backend.database, appSecret: SANDBOX_API_SECRET, stores: Array.from({ length: options.shops }, (_, i) => plan.shopDomain(i)) });
    problems.push(...buyers.problems);
  } finally {
    clearInterval(progress);
    for (const app of apps) stop.push(await app.stop());
    await hostile.close();
  }
  stop.forEach((s, i) => {
    if (s.exit !== 0) problems.push(`SIGTERM after the drain: instance ${i + 1} exit ${s.exit} after ${s.tookMs} ms\n${apps[i]!.tail()}`);
  });

  if (!renamed.done) problems.push(`the renamed shop ${renamed.shop} never got its account, so its email was never changed`);
  try {
    findings = await checkSoak({ reader, events: plan.events, sender: sender.stats, hostile, preexistingEmail, renamed });
    problems.push(...findings.problems);
  } finally {
    await reader.close();
  }
  const kept = await store.remove({ keep: problems.length > 0 });
  if (problems.length > 0) {
    problems.push(`${kept ? `database kept for inspection: ${kept}` : "the throwaway PostgreSQL server was removed"}\n`
      + apps.map((a, i) => `last output of instance ${i + 1}:\n${a.tail(20)}`).join("\n"));
  }
  return {
    ok: problems.length === 0, problems, options, sender: sender.stats, findings, crashes, downtimeMs, ...timings,
    totalMs: Date.now() - startedAt, stop, mousestatsCalls: hostile.sim.calls.length, buyers, database: kind, instances,
    planned: {
      duplicates: plan.deliveries.filter((d) => d.duplicate).length,
      forged: plan.deliveries.filter((d) => d.event.kind === "forged").length,
      malformed: plan.deliveries.filter((d) => d.event.kind === "malformed").length,
      unexpected: plan.deliveries.filter((d) => d.event.kind === "unexpected").length,
    },
  };
}

/** Why the drain waits: the open jobs' attempts, when they run next and their last error. */
async function describeOpenJobs(reader: SoakReader, outcomes: Map<string, string[]>): Promise<string> {
  const open = (await reader.backend.queue.list({ limit: 1000 })).filter((j) => j.status === "pending" || j.status === "running").slice(0, 5);
  return open.map((j) => {
    const email = j.subject?.split(" ")[0] ?? "";
    return `${j.kind} ${j.status} after ${j.attempts} attempts, next run at ${j.at} (${j.lastError}); `
      + `MouseStats calls for ${email}: ${(outcomes.get(email) ?? []).join(", ")}`;
  }).join("\n");
}
