import { describe, expect, it } from "vitest";
import { createTestDatabase } from "../db/test-database.ts";
import { createSilentLogger } from "../logger.ts";
import type { GetAccountResult, MouseStatsClient } from "../mousestats/client.ts";
import { MouseStatsHttpError } from "../mousestats/errors.ts";
import { RetryLaterError } from "../queue/errors.ts";
import type { JobContext } from "../queue/worker.ts";
import { provisionAccountHandler } from "./provision-account.ts";

const email = "shop@example.com";
const found: GetAccountResult = { found: true, account: { email, planName: "Free", planDaysLeft: 30, usage: { heatmapProjects: 0, playbackProjects: 0, heatmapVisits: 0, playbackVisits: 0 } } };

/** A scripted MouseStats: each GetAccount call takes the next reply (an error is thrown). */
function scriptedMouseStats(replies: Array<GetAccountResult | Error>) {
  const calls: string[] = [];
  const client: MouseStatsClient = {
    async getAccount() { calls.push("GetAccount"); const r = replies.shift()!; if (r instanceof Error) throw r; return r; },
    async createAccount() { calls.push("CreateAccount"); return { replyText: "" }; },
    async generateLoginToken() { throw new Error("unused"); },
    loginUrl: (t) => t,
  };
  return { client, calls };
}

function setUp(replies: Array<GetAccountResult | Error>) {
  const database = createTestDatabase();
  database.sqlite.prepare("insert into accounts (email) values (?)").run(email);
  const mousestats = scriptedMouseStats(replies);
  const handler = provisionAccountHandler({ db: database.db, mousestats: mousestats.client, activeFreePlan: true });
  const ctx = { signal: new AbortController().signal, logger: createSilentLogger() } as JobContext;
  const status = () => database.sqlite.prepare("select status from accounts where email = ?").get(email);
  return { run: () => handler.run({ email }, ctx), calls: mousestats.calls, status };
}

describe("provision-account", () => {
  it("retries a failed GetAccount once at once instead of spending an attempt", async () => {
    const t = setUp([new MouseStatsHttpError({ operation: "GetAccount", status: 500 }), found]);
    await t.run();
    expect(t.calls).toEqual(["GetAccount", "GetAccount"]);
    expect(t.status()).toEqual({ status: "active" });
  });

  it("gives up after the second failure, for the queue's backoff", async () => {
    const t = setUp([new MouseStatsHttpError({ operation: "GetAccount", status: 500 }), new MouseStatsHttpError({ operation: "GetAccount", status: 502 })]);
    await expect(t.run()).rejects.toThrow("MouseStats answered HTTP 502.");
    expect(t.calls).toEqual(["GetAccount", "GetAccount"]);
  });

  it("honours Retry-After instead of retrying at once", async () => {
    const t = setUp([new MouseStatsHttpError({ operation: "GetAccount", status: 429, retryAfterMs: 5000 })]);
    await expect(t.run()).rejects.toBeInstanceOf(RetryLaterError);
    expect(t.calls).toEqual(["GetAccount"]);
  });

  it("creates when absent and confirms", async () => {
    const t = setUp([{ found: false }, found]);
    await t.run();
    expect(t.calls).toEqual(["GetAccount", "CreateAccount", "GetAccount"]);
    expect(t.status()).toEqual({ status: "active" });
  });
});
