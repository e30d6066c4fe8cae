import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve, type ServerType } from "@hono/node-server";
import Sqlite from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createMouseStatsSimulator, type MouseStatsSimulator } from "../../src/mousestats/simulator.ts";
import { createSessionTokenSigner } from "../../src/shopify/session-token.ts";
import { startAppProcess, type AppProcess } from "../helpers/app-process.ts";
import { waitFor } from "../helpers/test-server.ts";
import { postWebhook, subscriptionPayload } from "../helpers/webhook-request.ts";
import { bearer } from "./support/tokens.ts";

interface Sent { startedAt: number; status: number | "error" }

describe("SIGTERM under load (real process)", () => {
  let sim: MouseStatsSimulator;
  let simServer: ServerType;
  let dir: string;
  let env: Record<string, string>;
  let hangCreate = false;
  const apps: AppProcess[] = [];
  const signer = createSessionTokenSigner({ apiKey: "sandbox-api-key", apiSecret: "sandbox-api-secret" });
  const db = () => new Sqlite(env.DATABASE_URL!, { readonly: true });
  const query = <T>(sql: string) => { const d = db(); try { return d.prepare(sql).all() as T[]; } finally { d.close(); } };

  beforeAll(async () => {
    sim = createMouseStatsSimulator({ partnerId: "term-partner", partnerSecret: "term-secret" });
    simServer = serve({
      port: 0, hostname: "127.0.0.1",
      fetch: async (request) => {
        // CreateAccount never answers (until the caller gives up): a job caught there outlives any grace.
        if (hangCreate && new URL(request.url).pathname.endsWith("/CreateAccount")) {
          await new Promise((resolve) => request.signal.addEventListener("abort", resolve));
        }
        return sim.app.fetch(request);
      },
    });
    await new Promise((resolve) => simServer.once("listening", resolve));
  });
  afterEach(() => {
    for (const app of apps.splice(0)) if (app.child.exitCode === null) app.child.kill("SIGKILL");
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  afterAll(() => { simServer.close(); });

  async function start(): Promise<AppProcess> {
    const app = await startAppProcess(env);
    apps.push(app);
    return app;
  }

  /** Webhooks every 10 ms for ever more shops, until `stop()`; each answer kept with its start time. */
  function steadyLoad(url: string) {
    const sent: Sent[] = [];
    let running = true;
    let n = 0;
    const loop = (async () => {
      const inFlight: Array<Promise<void>> = [];
      while (running) {
        const shop = `term-${n++ % 40}.myshopify.com`;
        const entry: Sent = { startedAt: Date.now(), status: "error" };
        sent.push(entry);
        inFlight.push(postWebhook(url, { topic: "app_subscriptions/update", shop, body: subscriptionPayload("ACTIVE", `gid://shopify/AppSubscription/${n}`) })
          .then((res) => { entry.status = res.status; }, () => {}));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await Promise.all(inFlight);
    })();
    return { sent, stop: async () => { running = false; await loop; } };
  }

  it.each([
    ["slow MouseStats (jobs finish in the grace period)", { latencyMs: 1000 }, false],
    ["hanging CreateAccount (jobs are aborted and released)", { latencyMs: 3000 }, true],
  ] as const)("%s: answers in-flight requests, leaves no job running, exits 0 within 10 s", async (_name, faults, hang) => {
    sim.reset();
    hangCreate = false;
    dir = mkdtempSync(join(tmpdir(), "ms-term-"));
    env = {
      DATABASE_URL: join(dir, "app.db"), MOUSESTATS_PARTNER_ID: "term-partner", MOUSESTATS_PARTNER_SECRET: "term-secret",
      MOUSESTATS_API_URL: `http://127.0.0.1:${(simServer.address() as AddressInfo).port}/api`,
    };
    const app = await start();
    const vip = "term-vip.myshopify.com";
    expect((await postWebhook(app.url, { topic: "app_subscriptions/update", shop: vip, body: subscriptionPayload("ACTIVE") })).status).toBe(200);
    await waitFor(() => query<{ n: number }>("select count(*) n from accounts where status = 'active'")[0]!.n === 1, 10_000, "an active account");
    Object.assign(sim.faults, faults);
    hangCreate = hang;
    const load = steadyLoad(app.url);
    await waitFor(() => sim.calls.length >= 8, 20_000, "jobs waiting on MouseStats");
    // In-flight API requests waiting on MouseStats too: login links take its whole latency.
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
    expect(query<{ n: number }>("select count(*) n from jobs where status = 'running'")[0]!.n).toBe(0);
    // A released job is not a failed one: nothing shows "failed" after a clean stop.
    expect(query<{ n: number }>("select count(*) n from jobs where status = 'failed'")[0]!.n).toBe(0);
    expect(query<{ n: number }>("select count(*) n from accounts where status = 'failed'")[0]!.n).toBe(0);

    // Nothing acknowledged was lost: a new process finishes every job, each account created once.
    Object.assign(sim.faults, { latencyMs: 0 });
    hangCreate = false;
    const stored = query<{ shop: string }>("select distinct shop from webhook_events").map((r) => r.shop);
    const next = await start();
    await waitFor(() => query<{ n: number }>("select count(*) n from jobs where status in ('pending', 'running')")[0]!.n === 0, 15_000, "queue drained after restart");
    const active = new Set(query<{ email: string }>("select email from accounts where status = 'active'").map((r) => r.email));
    for (const shop of stored) expect(active.has(shop.replace(".myshopify.com", "@example.com"))).toBe(true);
    for (const email of active) expect(sim.createAccountCalls(email)).toBeLessThanOrEqual(1);
    next.child.kill("SIGTERM");
    expect(await next.exited).toBe(0);
  }, 45_000);
});
