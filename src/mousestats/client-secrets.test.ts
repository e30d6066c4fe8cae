import { Writable } from "node:stream";
import { inspect } from "node:util";

import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createLogger } from "../logger.ts";
import { createMouseStatsClient } from "./client.ts";
import type { MouseStatsClientOptions } from "./client.ts";
import { MouseStatsError } from "./errors.ts";
import { closedLoopbackPort, serveOnLoopback } from "./serve-loopback.ts";
import type { LoopbackServer } from "./serve-loopback.ts";
import { createMouseStatsSimulator } from "./simulator.ts";

const PARTNER_SECRET = "Sup3r-S3cret&=#zz";
const PASSWORD = "Pa$$ w0rd&=#yy";
const EMAIL = "jane.doe@example.com";
const SECRET_FORMS = [PARTNER_SECRET, PASSWORD, encodeURIComponent(PARTNER_SECRET), encodeURIComponent(PASSWORD)];

const simulator = createMouseStatsSimulator({ partnerId: "partnername", partnerSecret: PARTNER_SECRET });
// Echoes the request URL (secret included) back, as a careless error page might.
let echoStatus = 500;
const echo = new Hono().all("*", (c) => c.html(`<html><body>Error at ${c.req.url}</body></html>`, echoStatus as 500));
let simulatorServer: LoopbackServer;
let echoServer: LoopbackServer;
let logLines: string[] = [];

const destination = new Writable({
  write(chunk: Buffer, _encoding, callback) {
    logLines.push(chunk.toString());
    callback();
  },
});
const logger = createLogger({ level: "debug", destination });

function client(overrides: Partial<MouseStatsClientOptions> = {}) {
  return createMouseStatsClient({
    baseUrl: `${simulatorServer.origin}/api`,
    loginUrl: `${simulatorServer.origin}/api/doLogin`,
    partnerId: "partnername",
    partnerSecret: PARTNER_SECRET,
    logger,
    ...overrides,
  });
}

/** Everything a log line, an error report or a debugger could show of an error. */
function everythingShown(err: unknown): string {
  const parts = [String(err), inspect(err, { depth: 10, showHidden: true }), JSON.stringify(err)];
  for (let cause = err; cause instanceof Error; cause = cause.cause) {
    parts.push(String(cause), cause.message, cause.stack ?? "");
  }
  return parts.join("\n");
}

beforeAll(async () => {
  simulatorServer = await serveOnLoopback(new Hono().route("/", simulator.app));
  echoServer = await serveOnLoopback(echo);
});
afterAll(async () => {
  await simulatorServer.close();
  await echoServer.close();
});

describe("createMouseStatsClient secrecy", () => {
  it("keeps the partner secret and password out of every error, cause and log line", async () => {
    logLines = [];
    const closedPort = await closedLoopbackPort();
    const create = (options: Partial<MouseStatsClientOptions> = {}) =>
      client(options).createAccount({ email: EMAIL, password: PASSWORD, activeFreePlan: true });
    // A fetch failing the way undici does when it puts the URL in the message and the cause.
    const leakyFetch: typeof fetch = async (input) => {
      const url = String(input);
      const cause = Object.assign(new Error(`getaddrinfo ENOTFOUND ${url}`), { code: "ENOTFOUND" });
      throw new TypeError(`fetch failed: ${url}`, { cause });
    };
    const failures: Array<[string, () => Promise<unknown>, () => void]> = [
      ["network error", () => create({ baseUrl: `http://127.0.0.1:${closedPort}/api` }), () => {}],
      ["URL-bearing fetch error", () => create({ fetch: leakyFetch }), () => {}],
      ["timeout", () => create({ timeoutMs: 100 }), () => Object.assign(simulator.faults, { hang: true })],
      ["HTTP 500", () => create(), () => Object.assign(simulator.faults, { hang: false, errorRate: 1 })],
      ["permission-denied", () => create({ partnerId: "other" }), () => Object.assign(simulator.faults, { errorRate: 0 })],
      ["echoing 500", () => create({ baseUrl: `${echoServer.origin}/api` }), () => {}],
      ["echoing HTML 200", () => create({ baseUrl: `${echoServer.origin}/api` }), () => (echoStatus = 200)],
      ["echoing token reply", () => client({ baseUrl: `${echoServer.origin}/api` }).generateLoginToken(EMAIL), () => {}],
    ];
    for (const [label, call, arrange] of failures) {
      arrange();
      const err = await call().then(
        () => new Error(`${label}: no error`),
        (e: unknown) => e,
      );
      expect(err, label).toBeInstanceOf(MouseStatsError);
      const shown = everythingShown(err);
      for (const secret of SECRET_FORMS) expect(shown, label).not.toContain(secret);
      expect((err as Error).message, label).toContain((err as MouseStatsError).operation);
    }
    const logged = logLines.join("");
    expect(logLines.length).toBeGreaterThanOrEqual(failures.length);
    for (const secret of [...SECRET_FORMS, EMAIL]) expect(logged).not.toContain(secret);
  });

  it("logs each call at debug with the operation, masked email, status and duration only", async () => {
    simulator.reset();
    logLines = [];
    await client().createAccount({ email: EMAIL, password: PASSWORD, activeFreePlan: true });
    await client().getAccount(EMAIL);
    const entries = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ level: 20, op: "CreateAccount", email: "ja***@example.com", status: 200, outcome: "ok" });
    expect(entries[1]).toMatchObject({ op: "GetAccount", status: 200 });
    expect(entries[1]!.durationMs).toEqual(expect.any(Number));
    const logged = logLines.join("");
    for (const secret of [...SECRET_FORMS, EMAIL, simulatorServer.origin]) expect(logged).not.toContain(secret);
  });
});
