import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Sqlite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MouseStatsSimulator } from "../../src/mousestats/simulator.ts";
import { startAppProcess, type AppProcess } from "../helpers/app-process.ts";
import { startCrashSimulator, type CrashSimulator } from "../helpers/crash-simulator.ts";
import { waitFor } from "../helpers/test-server.ts";
import { postWebhook, subscriptionPayload } from "../helpers/webhook-request.ts";

describe("crash recovery (real process, SIGKILL)", () => {
  let sim: MouseStatsSimulator;
  let crash: CrashSimulator;
  let dir: string;
  let env: Record<string, string>;
  const running: AppProcess[] = [];

  beforeAll(async () => {
    crash = await startCrashSimulator();
    sim = crash.sim;
    dir = mkdtempSync(join(tmpdir(), "ms-crash-"));
    env = {
      DATABASE_URL: join(dir, "app.db"),
      ...crash.env,
    };
  });
  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null) p.child.kill("SIGKILL");
    crash?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const accountStatus = (email: string) => {
    const db = new Sqlite(env.DATABASE_URL!, { readonly: true });
    try { return (db.prepare("select status from accounts where email = ?").get(email) as { status: string } | undefined)?.status; }
    finally { db.close(); }
  };

  it.each([
    ["before any MouseStats effect", false],
    ["after CreateAccount took effect but before its reply", true],
  ])("creates the account exactly once when killed %s", async (_when, effectBeforeFault) => {
    sim.reset();
    const shop = effectBeforeFault ? "crash-late.myshopify.com" : "crash-early.myshopify.com";
    const email = effectBeforeFault ? "crash-late@example.com" : "crash-early@example.com";
    // Early: GetAccount never answers. Late: CreateAccount creates the account, its reply never comes.
    sim.faults.hang = !effectBeforeFault;
    crash.swallowCreateReply = effectBeforeFault;
    const first = await startAppProcess(env);
    running.push(first);
    const res = await postWebhook(first.url, { topic: "app_subscriptions/update", shop, body: subscriptionPayload("ACTIVE") });
    expect(res.status).toBe(200);
    if (effectBeforeFault) await waitFor(() => sim.accounts.has(email), 10_000, "CreateAccount took effect");
    else await waitFor(() => sim.calls.some((c) => c.op === "GetAccount" && c.email === email), 10_000, "job in flight");
    first.child.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");
    expect(accountStatus(email)).toBe("pending");

    sim.faults.hang = false;
    crash.swallowCreateReply = false;
    const restartedAt = Date.now();
    const second = await startAppProcess(env);
    running.push(second);
    await waitFor(() => accountStatus(email) === "active", 10_000, "account active after restart");
    expect(Date.now() - restartedAt).toBeLessThan(10_000);
    expect(sim.createAccountCalls(email)).toBe(1);
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  });
});
