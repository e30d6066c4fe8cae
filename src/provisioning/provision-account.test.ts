import { describe, expect, it } from "vitest";
import { createTestDatabase } from "../db/test-database.ts";
import { createSilentLogger } from "../logger.ts";
import type { GetAccountResult, MouseStatsClient } from "../mousestats/client.ts";
import { MouseStatsHttpError } from "../mousestats/errors.ts";
import { RetryLaterError } from "../queue/errors.ts";
import type { JobContext } from "../queue/job-handler.ts";
import { createAccountStore } from "./account-store.ts";
import { provisionAccountHandler } from "./provision-account.ts";

const email = "shop@example.com";
const found: GetAccountResult = { found: true, account: { email, planName: "Free", planDaysLeft: 30, usage: { heatmapProjects: 0, playbackProjects: 0, heatmapVisits: 0, playbackVisits: 0 } } };

/** A scripted MouseStats: each GetAccount call takes the next reply (an error is thrown); CreateAccount answers `createReply`. */
function scriptedMouseStats(replies: Array<GetAccountResult | Error>, createReplies: string[]) {
  const calls: string[] = [];
  const client: MouseStatsClient = {
    async getAccount() { calls.push("GetAccount"); const r = replies.shift()!; if (r instanceof Error) throw r; return r; },
    async createAccount() { calls.push("CreateAccount"); return { replyText: createReplies.shift() ?? "account-created" }; },
    async generateLoginToken() { throw new Error("unused"); },
    loginUrl: (t) => t,
  };
  return { client, calls };
}

async function setUp(replies: Array<GetAccountResult | Error>, createReplies: string[] = []) {
  const database = createTestDatabase();
  const store = createAccountStore(database);
  // The shop this app provisions the account for, and a second shop that names the same email.
  await database.transaction(async (tx) => {
    await store.mapShopToAccount({ shop: "own.myshopify.com", email, source: "subscription", sourceRef: "gid://shopify/AppSubscription/1" }, tx);
    await store.mapShopToAccount({ shop: "other.myshopify.com", email, source: "subscription", sourceRef: "gid://shopify/AppSubscription/2" }, tx);
  });
  const mousestats = scriptedMouseStats(replies, createReplies);
  const handler = provisionAccountHandler({ database, mousestats: mousestats.client, activeFreePlan: true });
  const ctx = { signal: new AbortController().signal, logger: createSilentLogger() } as JobContext;
  const status = () => database.sqlite.prepare("select status from accounts where email = ?").get(email);
  const account = () => database.sqlite.prepare("select status, created_by_app, create_reply, last_error from accounts where email = ?").get(email);
  const claims = () => Object.fromEntries((database.sqlite.prepare("select shop, claim from shop_accounts").all() as { shop: string; claim: string }[]).map((r) => [r.shop, r.claim]));
  return { run: () => handler.run({ email }, ctx), calls: mousestats.calls, status, account, claims };
}

describe("provision-account", () => {
  it("retries a failed GetAccount once at once instead of spending an attempt", async () => {
    const t = await setUp([new MouseStatsHttpError({ operation: "GetAccount", status: 500 }), found]);
    await t.run();
    expect(t.calls).toEqual(["GetAccount", "GetAccount"]);
    expect(t.status()).toEqual({ status: "active" });
  });

  it("gives up after the second failure, for the queue's backoff", async () => {
    const t = await setUp([new MouseStatsHttpError({ operation: "GetAccount", status: 500 }), new MouseStatsHttpError({ operation: "GetAccount", status: 502 })]);
    await expect(t.run()).rejects.toThrow("MouseStats answered HTTP 502.");
    expect(t.calls).toEqual(["GetAccount", "GetAccount"]);
  });

  it("honours Retry-After instead of retrying at once", async () => {
    const t = await setUp([new MouseStatsHttpError({ operation: "GetAccount", status: 429, retryAfterMs: 5000 })]);
    await expect(t.run()).rejects.toBeInstanceOf(RetryLaterError);
    expect(t.calls).toEqual(["GetAccount"]);
  });

  it("creates when absent and confirms", async () => {
    const t = await setUp([{ found: false }, found]);
    await t.run();
    expect(t.calls).toEqual(["GetAccount", "CreateAccount", "GetAccount"]);
    expect(t.status()).toEqual({ status: "active" });
  });

  it("attaches an account it created only to the owner it was created for; another shop naming it needs review", async () => {
    const t = await setUp([{ found: false }, found]);
    expect(t.claims()).toEqual({ "own.myshopify.com": "pending", "other.myshopify.com": "needs_review" });
    await t.run();
    expect(t.account()).toMatchObject({ status: "active", created_by_app: 1, create_reply: "account-created" });
    expect(t.claims()).toEqual({ "own.myshopify.com": "verified", "other.myshopify.com": "needs_review" });
  });

  it("attaches an account that already existed at MouseStats to nobody (needs review)", async () => {
    const t = await setUp([found]);
    await t.run();
    expect(t.calls).toEqual(["GetAccount"]);
    expect(t.account()).toMatchObject({ status: "active", created_by_app: 0 });
    expect(t.claims()).toEqual({ "own.myshopify.com": "needs_review", "other.myshopify.com": "needs_review" });
  });

  it("treats a CreateAccount reply it does not know as an error, kept, then starts over from GetAccount (which finds ours)", async () => {
    const t = await setUp([{ found: false }, found], ["Error: database busy"]);
    await expect(t.run()).rejects.toThrow('MouseStats answered CreateAccount with "Error: database busy".');
    expect(t.account()).toMatchObject({ status: "pending", create_reply: "Error: database busy", last_error: 'MouseStats answered CreateAccount with "Error: database busy".' });
    await t.run();
    expect(t.calls).toEqual(["GetAccount", "CreateAccount", "GetAccount"]);
    expect(t.account()).toMatchObject({ status: "active", created_by_app: 1 });
    expect(t.claims()).toMatchObject({ "own.myshopify.com": "verified" });
  });

  it("never settles in 'created, waiting for GetAccount': a success GetAccount cannot confirm is retried from the start", async () => {
    const t = await setUp([{ found: false }, { found: false }, { found: false }, found]);
    await expect(t.run()).rejects.toThrow("GetAccount does not find the account yet");
    await t.run();
    expect(t.calls).toEqual(["GetAccount", "CreateAccount", "GetAccount", "GetAccount", "CreateAccount", "GetAccount"]);
    expect(t.account()).toMatchObject({ status: "active", created_by_app: 1 });
  });

  it("takes 'account-exists' as someone else's account: not ours, needs review", async () => {
    const t = await setUp([{ found: false }, found], ["account-exists"]);
    await t.run();
    expect(t.account()).toMatchObject({ status: "active", created_by_app: 0, create_reply: "account-exists" });
    expect(t.claims()).toMatchObject({ "own.myshopify.com": "needs_review" });
  });
});
