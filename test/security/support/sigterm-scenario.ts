import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import Sqlite from "better-sqlite3";
import { expect } from "vitest";
import { createMouseStatsSimulator } from "../../../src/mousestats/simulator.ts";
import { createSessionTokenSigner } from "../../../src/shopify/session-token.ts";
import { startAppProcess, type AppProcess } from "../../helpers/app-process.ts";
import { waitFor } from "../../helpers/test-server.ts";
import { postWebhook, subscriptionPayload } from "../../helpers/webhook-request.ts";
import { bearer } from "./tokens.ts";

interface Sent { startedAt: number; status: number | "error" }

export interface SigtermScenario {
  /** MouseStats latency while the load runs (jobs and login links wait this long per call). */
  latencyMs: number;
  /** CreateAccount never answers: the jobs caught there outlive the grace and must be released. */
  hangCreate: boolean;
}

/**
 * A real app process under a steady webhook load, with jobs and API requests waiting on a slow
 * MouseStats, gets SIGTERM. Checks the stop (in-flight requests answered, exit 0 within 10 s,
 * no job left running or marked failed), then that a new process finishes every job.
 */
export async function runSigtermScenario(scenario: SigtermScenario): Promise<void> {
  const sim = createMouseStatsSimulator({ partnerId: "term-partner", partnerSecret: "term-secret" });
  let hangCreate = false;
  const simServer = serve({
    port: 0, hostname: "127.0.0.1",
    fetch: async (request) => {
      if (hangCreate && new URL(request.url).pathname.endsWith("/CreateAccount")) {
        await new Promise((resolve) => request.signal.addEventListener("abort", resolve));
      }
      return sim.app.fetch(request);
    },
  });
  await new Promise((resolve) => simServer.once("listening", resolve));
  const dir = mkdtempSync(join(tmpdir(), "ms-term-"));
  const env = {
    DATABASE_URL: join(dir, "app.db"), MOUSESTATS_PARTNER_ID: "term-partner", MOUSESTATS_PARTNER_SECRET: "term-secret",
    MOUSESTATS_API_URL: `http://127.0.0.1:${(simServer.address() as AddressInfo).port}/api`,
  };
  const query = <T>(sql: string) => {
    const db = new Sqlite(env.DATABASE_URL, { readonly: true });
    try { return db.prepare(sql).all() as T[]; } finally { db.close(); }
  };
  const count = (sql: string) => query<{ n: number }>(`select count(*) n from ${sql}`)[0]!.n;
  const signer = createSessionTokenSigner({ apiKey: "sandbox-api-key", apiSecret: "sandbox-api-secret" });
  const apps: AppProcess[] = [];
  const start = async () => { const app = await startAppProcess(env); apps.push(app); return app; };
  try {
    const app = await start();
    const vip = "term-vip.myshopify.com";
    expect((await postWebhook(app.url, { topic: "app_subscriptions/update", shop: vip, body: subscriptionPayload("ACTIVE") })).status).toBe(200);
    await waitFor(() => count("accounts where status = 'active'") === 1, 10_000, "an active account");
    sim.faults.latencyMs = scenario.latencyMs;
    hangCreate = scenario.hangCreate;
    const load = steadyLoad(app.url);
    await waitFor(() => sim.calls.length >= 8, 20_000, "jobs waiting on MouseStats");
    // In-flight API requests waiting on MouseStats too: a login link takes its whole latency.
    const slow = [0, 1].map(() => fetch(`${app.url}/api/login-link`, { method: "POST", headers: bearer(signer.sign({ shop: vip, now: Date.now() })) })
      .then((r) => r.status, () => "error" as const));
    await new Promise((resolve) => setTimeout(resolve, 300));

    const signalledAt = Date.now();
    app.child.kill("SIGTERM");
    const exit = await app.exited;
    const stopMs = Date.now() - signalledAt;
    await load.stop();
    expect(exit).toBe(0);
    expect(stopMs).toBeLessThan(10_000);
    expect(await Promise.all(slow)).toEqual([200, 200]);
    const before = load.sent.filter((s) => s.startedAt < signalledAt - 50);
    expect(before.length).toBeGreaterThan(20);
    expect(before.filter((s) => s.status !== 200)).toEqual([]);
    expect(count("jobs where status = 'running'")).toBe(0);
    // A released job is not a failed one: nothing shows "failed" after a clean stop.
    expect(count("jobs where status = 'failed'")).toBe(0);
    expect(count("accounts where status = 'failed'")).toBe(0);

    sim.faults.latencyMs = 0;
    hangCreate = false;
    const stored = query<{ shop: string }>("select distinct shop from webhook_events").map((r) => r.shop);
    const next = await start();
    await waitFor(() => count("jobs where status in ('pending', 'running')") === 0, 15_000, "queue drained after restart");
    const active = new Set(query<{ email: string }>("select email from accounts where status = 'active'").map((r) => r.email));
    for (const shop of stored) expect(active.has(shop.replace(".myshopify.com", "@example.com"))).toBe(true);
    for (const email of active) expect(sim.createAccountCalls(email)).toBeLessThanOrEqual(1);
    next.child.kill("SIGTERM");
    expect(await next.exited).toBe(0);
  } finally {
    for (const app of apps) if (app.child.exitCode === null) app.child.kill("SIGKILL");
    simServer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Webhooks every 10 ms across 40 shops until `stop()`; each answer kept with its start time. */
function steadyLoad(url: string) {
  const sent: Sent[] = [];
  let running = true;
  const loop = (async () => {
    const inFlight: Array<Promise<void>> = [];
    for (let n = 0; running; n++) {
      const entry: Sent = { startedAt: Date.now(), status: "error" };
      sent.push(entry);
      inFlight.push(postWebhook(url, { topic: "app_subscriptions/update", shop: `term-${n % 40}.myshopify.com`, body: subscriptionPayload("ACTIVE", `gid://shopify/AppSubscription/${n}`) })
        .then((res) => { entry.status = res.status; }, () => {}));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await Promise.all(inFlight);
  })();
  return { sent, stop: async () => { running = false; await loop; } };
}
