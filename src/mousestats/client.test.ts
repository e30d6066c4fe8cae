import { Hono } from "hono";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { createSilentLogger } from "../logger.ts";
import { createMouseStatsClient } from "./client.ts";
import type { MouseStatsClientOptions } from "./client.ts";
import {
  MouseStatsHttpError,
  MouseStatsInvalidArgumentError,
  MouseStatsPermissionDeniedError,
  MouseStatsTimeoutError,
  isRetriableMouseStatsError,
} from "./errors.ts";
import { serveOnLoopback } from "./serve-loopback.ts";
import type { LoopbackServer } from "./serve-loopback.ts";
import { createMouseStatsSimulator } from "./simulator.ts";

const PARTNER_ID = "partnername";
const PARTNER_SECRET = "bvdj436hdas";
const simulator = createMouseStatsSimulator({ partnerId: PARTNER_ID, partnerSecret: PARTNER_SECRET });
let server: LoopbackServer;
let baseUrl: string;

function client(overrides: Partial<MouseStatsClientOptions> = {}) {
  return createMouseStatsClient({
    baseUrl,
    loginUrl: `${baseUrl}/doLogin`,
    partnerId: PARTNER_ID,
    partnerSecret: PARTNER_SECRET,
    logger: createSilentLogger(),
    ...overrides,
  });
}

beforeAll(async () => {
  // Mounted under a prefix, as npm start does, so baseUrl has a path.
  server = await serveOnLoopback(new Hono().route("/mousestats-simulator", simulator.app));
  baseUrl = `${server.origin}/mousestats-simulator/api`;
});
afterAll(() => server.close());
beforeEach(() => simulator.reset());

describe("createMouseStatsClient against the simulator", () => {
  it("creates an account and reads it back without the (partnerId) suffix", async () => {
    const mousestats = client();
    const created = await mousestats.createAccount({ email: "test@example.com", password: "thePass36", activeFreePlan: true });
    expect(created.replyText).toBe("account-created");
    await expect(mousestats.getAccount("test@example.com")).resolves.toEqual({
      found: true,
      account: {
        email: "test@example.com",
        planName: "Free",
        planDaysLeft: 30,
        usage: { heatmapProjects: 0, playbackProjects: 0, heatmapVisits: 0, playbackVisits: 0 },
      },
    });
    expect(simulator.createAccountCalls("test@example.com")).toBe(1);
  });

  it("sends _activeFreePlan=false when no free plan is wanted", async () => {
    await client().createAccount({ email: "nofree@example.com", password: "pw", activeFreePlan: false });
    const result = await client().getAccount("nofree@example.com");
    expect(result.found && result.account.planName).toBe("None");
  });

  it("reports usage as MouseStats counts it", async () => {
    await client().createAccount({ email: "busy@example.com", password: "pw", activeFreePlan: true });
    simulator.setAccountUsage("busy@example.com", { heatmapProjects: 2, playbackVisits: 1234, planDaysLeft: 12 });
    const result = await client().getAccount("BUSY@example.com");
    expect(result).toMatchObject({
      found: true,
      account: { planDaysLeft: 12, usage: { heatmapProjects: 2, playbackProjects: 0, heatmapVisits: 0, playbackVisits: 1234 } },
    });
  });

  it("passes the opaque CreateAccount reply through when the account exists", async () => {
    const input = { email: "twice@example.com", password: "pw", activeFreePlan: true };
    await client().createAccount(input);
    await expect(client().createAccount(input)).resolves.toEqual({ replyText: "account-exists" });
    expect(simulator.accounts.size).toBe(1);
  });

  it("encodes emails and passwords with URL-special characters", async () => {
    const email = "a+b@x.com";
    const password = "p&ss=w#rd %+?/é";
    await client().createAccount({ email, password, activeFreePlan: true });
    expect(simulator.accounts.get(email)).toMatchObject({ email, password });
    const result = await client().getAccount(email);
    expect(result.found && result.account.email).toBe(email);
  });

  it("returns found: false when GetAccount answers permission-denied for an unknown user", async () => {
    await expect(client().getAccount("nobody@example.com")).resolves.toEqual({ found: false });
  });

  it("returns found: false when GetAccount answers permission-denied for wrong credentials", async () => {
    await client().createAccount({ email: "exists@example.com", password: "pw", activeFreePlan: true });
    await expect(client({ partnerSecret: "wrong" }).getAccount("exists@example.com")).resolves.toEqual({ found: false });
  });

  it("throws MouseStatsPermissionDeniedError when CreateAccount is refused", async () => {
    const err = await client({ partnerSecret: "wrong" })
      .createAccount({ email: "x@example.com", password: "pw", activeFreePlan: true })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MouseStatsPermissionDeniedError);
    expect((err as Error).message).toContain("CreateAccount");
    expect(isRetriableMouseStatsError(err)).toBe(false);
    expect(simulator.accounts.size).toBe(0);
  });

  it.each([
    ["an unknown user", {}],
    ["wrong credentials", { partnerId: "someone-else" }],
  ])("throws MouseStatsPermissionDeniedError from GenerateLoginToken for %s", async (_label, overrides) => {
    await client().createAccount({ email: "known@example.com", password: "pw", activeFreePlan: true });
    const email = "partnerId" in overrides ? "known@example.com" : "unknown@example.com";
    await expect(client(overrides).generateLoginToken(email)).rejects.toBeInstanceOf(MouseStatsPermissionDeniedError);
  });

  it("generates a login token that opens the simulated dashboard", async () => {
    await client().createAccount({ email: "login@example.com", password: "pw", activeFreePlan: true });
    const token = await client().generateLoginToken("login@example.com", 24);
    expect(token).toMatch(/^[0-9A-F]{32}$/);
    const url = client().loginUrl(token);
    expect(url).toBe(`${baseUrl}/doLogin?_token=${token}`);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("login@example.com");
  });

  it.each([0, 25, 1.5, -1, Number.NaN])("rejects validHours %s before any request", async (validHours) => {
    await expect(client().generateLoginToken("a@example.com", validHours)).rejects.toBeInstanceOf(
      MouseStatsInvalidArgumentError,
    );
    expect(simulator.calls).toHaveLength(0);
  });

  it("rejects an empty email or password before any request", async () => {
    await expect(client().getAccount("")).rejects.toBeInstanceOf(MouseStatsInvalidArgumentError);
    await expect(client().createAccount({ email: "a@example.com", password: "", activeFreePlan: true })).rejects.toBeInstanceOf(
      MouseStatsInvalidArgumentError,
    );
    expect(simulator.calls).toHaveLength(0);
  });

  it.each(["CreateAccount", "GetAccount", "GenerateLoginToken"] as const)(
    "throws a retriable MouseStatsHttpError when %s answers HTTP 500",
    async (operation) => {
      await client().createAccount({ email: "e@example.com", password: "pw", activeFreePlan: true });
      simulator.faults.errorRate = 1;
      const mousestats = client();
      const calls = {
        CreateAccount: () => mousestats.createAccount({ email: "e@example.com", password: "pw", activeFreePlan: true }),
        GetAccount: () => mousestats.getAccount("e@example.com"),
        GenerateLoginToken: () => mousestats.generateLoginToken("e@example.com"),
      };
      const err = await calls[operation]().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MouseStatsHttpError);
      expect(err).toMatchObject({ status: 500, operation, retryAfterMs: undefined });
      expect((err as Error).message).toBe(`MouseStats ${operation} failed with HTTP 500`);
      expect(isRetriableMouseStatsError(err)).toBe(true);
    },
  );

  it("reads Retry-After from a simulated 503", async () => {
    Object.assign(simulator.faults, { errorRate: 1, errorStatus: 503 });
    await expect(client().getAccount("e@example.com")).rejects.toMatchObject({ status: 503, retryAfterMs: 1000 });
  });

  it("times out a reply that never comes", async () => {
    simulator.faults.hang = true;
    const startedAt = performance.now();
    const err = await client({ timeoutMs: 200 }).getAccount("e@example.com").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MouseStatsTimeoutError);
    expect(err).toMatchObject({ timeoutMs: 200, operation: "GetAccount" });
    expect(isRetriableMouseStatsError(err)).toBe(true);
    expect(performance.now() - startedAt).toBeLessThan(2000);
  });

  it("times out a slow reply", async () => {
    simulator.faults.latencyMs = 1000;
    await expect(client({ timeoutMs: 100 }).generateLoginToken("e@example.com")).rejects.toBeInstanceOf(
      MouseStatsTimeoutError,
    );
  });

  it("throws the caller's abort reason, not a timeout, when the caller aborts", async () => {
    simulator.faults.hang = true;
    const controller = new AbortController();
    const reason = new Error("worker stopping");
    setTimeout(() => controller.abort(reason), 50);
    await expect(client().getAccount("e@example.com", { signal: controller.signal })).rejects.toBe(reason);
  });

  it("counts a CreateAccount that timed out although MouseStats created the account", async () => {
    Object.assign(simulator.faults, { hang: true, effectBeforeFault: true });
    const input = { email: "lost@example.com", password: "pw", activeFreePlan: true };
    await expect(client({ timeoutMs: 100 }).createAccount(input)).rejects.toBeInstanceOf(MouseStatsTimeoutError);
    Object.assign(simulator.faults, { hang: false, effectBeforeFault: false });
    await expect(client().getAccount("lost@example.com")).resolves.toMatchObject({ found: true });
  });
});
