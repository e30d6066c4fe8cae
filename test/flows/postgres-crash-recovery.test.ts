import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MouseStatsSimulator } from "../../src/mousestats/simulator.ts";
import { startAppProcess, type AppProcess } from "../helpers/app-process.ts";
import { startCrashSimulator, type CrashSimulator } from "../helpers/crash-simulator.ts";
import { createPostgresDatabase, hasPostgres } from "../helpers/postgres-database.ts";
import { waitFor } from "../helpers/test-server.ts";
import { postWebhook, subscriptionPayload } from "../helpers/webhook-request.ts";

/**
 * Two app processes on one PostgreSQL; the one running a provisioning job is SIGKILLed. The job
 * must resume on the other within 10 s, and the account be created exactly once.
 */
describe.skipIf(!hasPostgres())("crash recovery across instances (PostgreSQL, real processes, SIGKILL)", () => {
  let sim: MouseStatsSimulator;
  let crash: CrashSimulator;
  let env: Record<string, string>;
  let client: pg.Client;
  const running: AppProcess[] = [];

  beforeAll(async () => {
    crash = await startCrashSimulator();
    sim = crash.sim;
    env = {
      DATABASE_URL: await createPostgresDatabase("crash"),
      ...crash.env,
    };
    client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
  });
  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null) p.child.kill("SIGKILL");
    await client?.end();
    crash?.close();
  });

  const accountStatus = async (email: string) => (await client.query<{ status: string }>("select status from accounts where email = $1", [email])).rows[0]?.status;
  /** The process whose pool holds the locked job: the one connected as its presence. */
  const holderPid = async () => (await client.query<{ pid: number }>(`select a.pid from graphile_worker.jobs j
    join pg_stat_activity a on a.application_name = 'mousestats-jobs:' || j.locked_by where j.locked_by is not null limit 1`)).rows[0];

  it.each([
    ["before any MouseStats effect", false],
    ["after CreateAccount took effect but before its reply", true],
  ])("resumes on the other instance within 10 s and creates the account once when killed %s", async (_when, effectBeforeFault) => {
    sim.reset();
    const shop = effectBeforeFault ? "pg-crash-late.myshopify.com" : "pg-crash-early.myshopify.com";
    const email = effectBeforeFault ? "pg-crash-late@example.com" : "pg-crash-early@example.com";
    sim.faults.hang = !effectBeforeFault;
    crash.swallowCreateReply = effectBeforeFault;
    const [first, second] = await Promise.all([startAppProcess(env), startAppProcess(env)]);
    running.push(first!, second!);
    expect((await postWebhook(first!.url, { topic: "app_subscriptions/update", shop, body: subscriptionPayload("ACTIVE") })).status).toBe(200);
    if (effectBeforeFault) await waitFor(() => sim.accounts.has(email), 10_000, "CreateAccount took effect");
    else await waitFor(() => sim.calls.some((c) => c.op === "GetAccount" && c.email === email), 10_000, "job in flight");
    await waitFor(holderPid, 10_000, "the holder's presence");
    const victims = [first!, second!];
    sim.faults.hang = false;
    crash.swallowCreateReply = false;
    const killedAt = Date.now();
    // The instance that runs the job, found by its presence connection's client port.
    const { rows: [presence] } = await client.query<{ client_port: number }>(`select a.client_port from pg_stat_activity a
      join graphile_worker.jobs j on a.application_name = 'mousestats-jobs:' || j.locked_by where j.locked_by is not null limit 1`);
    const victim = await findByClientPort(victims, presence!.client_port);
    victim.child.kill("SIGKILL");
    expect(await victim.exited).toBe("SIGKILL");
    expect(await accountStatus(email)).toBe("pending");
    await waitFor(async () => (await accountStatus(email)) === "active", 10_000, "account active on the surviving instance");
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(sim.createAccountCalls(email)).toBe(1);
    const survivor = victims.find((p) => p !== victim)!;
    survivor.child.kill("SIGTERM");
    expect(await survivor.exited).toBe(0);
  });
});

/** The app process that owns a TCP connection from this local port (from /proc: its socket inode among its file descriptors). */
async function findByClientPort(processes: AppProcess[], port: number): Promise<AppProcess> {
  const { readFileSync, readdirSync, readlinkSync } = await import("node:fs");
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  const inodes = new Set(readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)
    .map((line) => line.trim().split(/\s+/)).filter((f) => f[1]?.endsWith(`:${hexPort}`)).map((f) => f[9]));
  for (const p of processes) {
    const fds = readdirSync(`/proc/${p.child.pid}/fd`);
    if (fds.some((fd) => { try { return inodes.has(/socket:\[(\d+)\]/.exec(readlinkSync(`/proc/${p.child.pid}/fd/${fd}`))?.[1]); } catch { return false; } })) return p;
  }
  throw new Error(`no app process owns local port ${port}`);
}
