import { Hono } from "hono";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { createSilentLogger } from "../logger.ts";
import { createMouseStatsClient } from "./client.ts";
import type { MouseStatsClientOptions } from "./client.ts";
import {
  MouseStatsHttpError,
  MouseStatsNetworkError,
  MouseStatsPermissionDeniedError,
  MouseStatsUnexpectedReplyError,
  isRetriableMouseStatsError,
} from "./errors.ts";
import { closedLoopbackPort, serveOnLoopback } from "./serve-loopback.ts";
import type { LoopbackServer } from "./serve-loopback.ts";

// Replies the simulator never gives, from a bare server whose next answer each test sets.
let reply: () => Response = () => new Response("unset", { status: 500 });
const requests: URL[] = [];
let server: LoopbackServer;

const app = new Hono().all("*", (c) => {
  requests.push(new URL(c.req.url));
  return reply();
});

function client(overrides: Partial<MouseStatsClientOptions> = {}) {
  return createMouseStatsClient({
    baseUrl: `${server.origin}/api/`,
    loginUrl: "http://www.mousestats.com/api/doLogin",
    partnerId: "partnername",
    partnerSecret: "bvdj436hdas",
    logger: createSilentLogger(),
    ...overrides,
  });
}

const text = (body: string, status = 200, headers: Record<string, string> = {}) => () =>
  new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8", ...headers } });
const json = (body: unknown) => () => Response.json(body);

const SAMPLE = {
  Email: "test@test1.com(partnername)",
  PlanName: "SaneEgg",
  PlanDaysLeft: 30,
  PlanUsedHeatmapProjects: 0,
  PlanUsedPlaybackProjects: 0,
  PlanUsedHeatmapVisits: 0,
  PlanUsedPlaybackVisits: 0,
};
const HTML_PAGE = "<!DOCTYPE html><html><head><title>Runtime Error</title></head><body>Server Error</body></html>";
const TOKEN = "03C879E18F6AA4E15E1EB81C88E91B01";

beforeAll(async () => {
  server = await serveOnLoopback(app);
});
afterAll(() => server.close());
beforeEach(() => {
  requests.length = 0;
});

const callEach = {
  CreateAccount: () => client().createAccount({ email: "test@example.com", password: "thePass36", activeFreePlan: true }),
  GetAccount: () => client().getAccount("test@example.com"),
  GenerateLoginToken: () => client().generateLoginToken("test@example.com"),
};
const OPERATIONS = Object.keys(callEach) as Array<keyof typeof callEach>;

describe("createMouseStatsClient requests", () => {
  it("sends one GET per call with the document's parameters in order", async () => {
    reply = text("whatever");
    await callEach.CreateAccount();
    reply = text(TOKEN);
    await client().generateLoginToken("test@example.com", 3);
    expect(requests.map((url) => url.pathname)).toEqual(["/api/CreateAccount", "/api/GenerateLoginToken"]);
    expect([...requests[0]!.searchParams]).toEqual([
      ["_partnerId", "partnername"],
      ["_partnerSecret", "bvdj436hdas"],
      ["_userEmail", "test@example.com"],
      ["_userPassword", "thePass36"],
      ["_activeFreePlan", "true"],
    ]);
    expect(requests[1]!.searchParams.get("_validHours")).toBe("3");
  });

  it.each([
    ["http://www.mousestats.com/api/doLogin", "http://www.mousestats.com/api/doLogin?_token=ab%2Fc"],
    ["https://heatmaps.example.com/api/doLogin", "https://heatmaps.example.com/api/doLogin?_token=ab%2Fc"],
    ["https://panel.example.com/api/doLogin?brand=x", "https://panel.example.com/api/doLogin?brand=x&_token=ab%2Fc"],
    ["https://panel.example.com/login?", "https://panel.example.com/login?_token=ab%2Fc"],
    ["https://panel.example.com/login#top", "https://panel.example.com/login?_token=ab%2Fc#top"],
  ])("builds the login URL from %s", (loginUrl, expected) => {
    expect(client({ loginUrl }).loginUrl("ab/c")).toBe(expected);
  });
});

describe("createMouseStatsClient replies", () => {
  it("accepts the document's sample output with a BOM and unknown extra fields", async () => {
    reply = () => new Response(`\uFEFF${JSON.stringify({ ...SAMPLE, Extra: [1] })}`, { headers: { "content-type": "text/html" } });
    const result = await client().getAccount("test@test1.com");
    expect(result).toMatchObject({ found: true, account: { email: "test@test1.com", planName: "SaneEgg", planDaysLeft: 30 } });
  });

  it.each(["permission-denied", " permission-denied\r\n", '"permission-denied"'])(
    "treats %j from GetAccount as not found",
    async (body) => {
      reply = text(body);
      await expect(client().getAccount("test@example.com")).resolves.toEqual({ found: false });
    },
  );

  it.each(["CreateAccount", "GenerateLoginToken"] as const)("throws on permission-denied from %s", async (operation) => {
    reply = text("permission-denied");
    await expect(callEach[operation]()).rejects.toBeInstanceOf(MouseStatsPermissionDeniedError);
  });

  it.each([
    [403, "MouseStatsPermissionDeniedError"],
    [503, "MouseStatsHttpError"],
  ])("reads permission-denied with HTTP %i as %s", async (status, name) => {
    reply = text("permission-denied", status);
    await expect(callEach.GenerateLoginToken()).rejects.toMatchObject({ name, status });
  });

  it.each(OPERATIONS)("refuses an HTML page served with 200 from %s", async (operation) => {
    reply = () => new Response(HTML_PAGE, { headers: { "content-type": "text/html" } });
    const err = await callEach[operation]().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MouseStatsUnexpectedReplyError);
    expect(err).toMatchObject({ reason: "html-page", status: 200, operation });
    expect(isRetriableMouseStatsError(err)).toBe(false);
  });

  it.each([
    ["an empty body", "", "empty-body"],
    ["bad JSON", "{Email:", "invalid-json"],
    ["a JSON string", '"ok"', "invalid-fields"],
    ["a JSON array", "[]", "invalid-fields"],
  ])("refuses GetAccount with %s", async (_label, body, reason) => {
    reply = text(body);
    await expect(client().getAccount("a@b.com")).rejects.toMatchObject({ name: "MouseStatsUnexpectedReplyError", reason });
  });

  it.each([
    ["missing fields", { Email: "a@b.com(p)", PlanName: "X" }, { planName: "X", planDaysLeft: null, usage: { heatmapProjects: null, playbackProjects: null, heatmapVisits: null, playbackVisits: null } }],
    ["a null plan name", { ...SAMPLE, PlanName: null }, { planName: null, planDaysLeft: 30 }],
    ["a blank plan name", { ...SAMPLE, PlanName: " " }, { planName: null }],
    ["a negative count", { ...SAMPLE, PlanDaysLeft: -1 }, { planDaysLeft: 0 }],
    ["a string count", { ...SAMPLE, PlanUsedHeatmapVisits: "12" }, { usage: { heatmapVisits: null } }],
    ["a fractional count", { ...SAMPLE, PlanUsedPlaybackVisits: 1.5 }, { usage: { playbackVisits: null } }],
    ["no Email", { ...SAMPLE, Email: undefined }, { email: null, planName: "SaneEgg" }],
  ])("reads GetAccount with %s leniently: an existing account, the odd figure unknown or 0", async (_label, body, expected) => {
    reply = json(body);
    await expect(client().getAccount("a@b.com")).resolves.toMatchObject({ found: true, account: expected });
  });

  it.each([
    ["an uppercase token", TOKEN, TOKEN],
    ["a lowercase token with a newline", `${TOKEN.toLowerCase()}\n`, TOKEN.toLowerCase()],
  ])("accepts %s from GenerateLoginToken", async (_label, body, expected) => {
    reply = text(body);
    await expect(client().generateLoginToken("a@b.com")).resolves.toBe(expected);
  });

  it.each([
    ["an empty body", "", "empty-body"],
    ["a short token", TOKEN.slice(1), "invalid-token"],
    ["non-hex text", "Z".repeat(32), "invalid-token"],
    ["an error sentence", "Error: user is locked", "invalid-token"],
  ])("refuses %s from GenerateLoginToken", async (_label, body, reason) => {
    reply = text(body);
    await expect(client().generateLoginToken("a@b.com")).rejects.toMatchObject({ reason });
  });

  it("keeps an empty or long CreateAccount reply short and never echoes the password", async () => {
    reply = text("");
    await expect(callEach.CreateAccount()).resolves.toEqual({ replyText: "" });
    reply = text("x".repeat(500));
    expect((await callEach.CreateAccount()).replyText).toHaveLength(200);
    reply = text(`created test@example.com with password thePass36`);
    await expect(callEach.CreateAccount()).resolves.toEqual({ replyText: "[redacted]" });
  });
});

describe("createMouseStatsClient failures", () => {
  it("throws MouseStatsHttpError with retryAfterMs for a 429 with Retry-After seconds", async () => {
    reply = text("slow down", 429, { "retry-after": "7" });
    const err = await callEach.GetAccount().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MouseStatsHttpError);
    expect(err).toMatchObject({ status: 429, retryAfterMs: 7000 });
    expect(isRetriableMouseStatsError(err)).toBe(true);
  });

  it("reads a Retry-After HTTP date against the injected clock", async () => {
    const now = Date.parse("2030-01-01T00:00:00Z");
    reply = text("busy", 503, { "retry-after": "Tue, 01 Jan 2030 00:01:30 GMT" });
    await expect(client({ now: () => now }).getAccount("a@b.com")).rejects.toMatchObject({ status: 503, retryAfterMs: 90_000 });
  });

  it.each([
    [400, false],
    [404, false],
    [502, true],
  ])("throws MouseStatsHttpError for HTTP %i (retriable: %s)", async (status, isRetriable) => {
    reply = text("nope", status);
    const err = await callEach.GenerateLoginToken().catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "MouseStatsHttpError", status });
    expect(isRetriableMouseStatsError(err)).toBe(isRetriable);
  });

  it("times out a reply whose body stalls halfway", async () => {
    reply = () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"Email":"a@b.com(p)",'));
          },
        }),
        { headers: { "content-type": "application/json" } },
      );
    await expect(client({ timeoutMs: 200 }).getAccount("a@b.com")).rejects.toMatchObject({
      name: "MouseStatsTimeoutError",
      timeoutMs: 200,
    });
  });

  it("does not follow a redirect, which would resend the secret elsewhere", async () => {
    reply = () => new Response(null, { status: 302, headers: { location: "http://evil.example.com/steal" } });
    await expect(callEach.GetAccount()).rejects.toMatchObject({ name: "MouseStatsHttpError", status: 302 });
    expect(requests).toHaveLength(1);
  });

  it.each(["http://[::1/api", "ftp://example.com/api", "not a url"])("refuses the base URL %s at creation", (baseUrl) => {
    expect(() => client({ baseUrl })).toThrow(TypeError);
  });

  it("throws a retriable MouseStatsNetworkError when nothing listens", async () => {
    const port = await closedLoopbackPort();
    const err = await client({ baseUrl: `http://127.0.0.1:${port}/api` })
      .getAccount("a@b.com")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MouseStatsNetworkError);
    expect((err as Error).message).toBe("MouseStats GetAccount network error: ECONNREFUSED");
    expect(isRetriableMouseStatsError(err)).toBe(true);
  });
});
