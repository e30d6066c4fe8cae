import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve, type ServerType } from "@hono/node-server";
import Sqlite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMouseStatsSimulator, type MouseStatsSimulator } from "../../src/mousestats/simulator.ts";
import { createTokenCipher } from "../../src/shopify/token-cipher.ts";
import { startAppProcess, type AppProcess } from "../helpers/app-process.ts";
import { waitFor } from "../helpers/test-server.ts";
import { buildWebhookRequest, orderPayload } from "../helpers/webhook-request.ts";
import { exerciseApp, type Collected } from "./support/exercise-app.ts";

const hex = (n: number) => randomBytes(n).toString("hex");
const PARTNER_SECRET = `PartnerSecret-${hex(12)}`;
const APP_SECRET = `AppSecret-${hex(12)}`;
const API_KEY = "scan-api-key";
const KEY = randomBytes(32);

/** A secret in every form it could leak in: raw, URL-encoded, base64 and hex. */
const forms = (s: string) => [...new Set([s, encodeURIComponent(s), Buffer.from(s).toString("base64"), Buffer.from(s).toString("hex")])];

describe("no secret in anything the app produces (logs at trace, HTML, JS, CSS, JSON, headers)", () => {
  let sim: MouseStatsSimulator;
  let simServer: ServerType;
  let app: AppProcess;
  let dir: string;
  let collected: Collected;
  const tokens: string[] = [];

  beforeAll(async () => {
    sim = createMouseStatsSimulator({ partnerId: "scan-partner", partnerSecret: PARTNER_SECRET });
    simServer = serve({ port: 0, hostname: "127.0.0.1", fetch: sim.app.fetch });
    await new Promise((resolve) => simServer.once("listening", resolve));
    dir = mkdtempSync(join(tmpdir(), "ms-scan-"));
    app = await startAppProcess({
      LOG_LEVEL: "trace", DATABASE_URL: join(dir, "app.db"), ADDON_SKUS: "mousestats-heatmaps",
      SHOPIFY_SANDBOX: "true", SHOPIFY_API_KEY: API_KEY, SHOPIFY_API_SECRET: APP_SECRET, APP_ENCRYPTION_KEY: KEY.toString("base64"),
      MOUSESTATS_PARTNER_ID: "scan-partner", MOUSESTATS_PARTNER_SECRET: PARTNER_SECRET, MOUSESTATS_TIMEOUT_MS: "500",
      MOUSESTATS_API_URL: `http://127.0.0.1:${(simServer.address() as AddressInfo).port}/api`,
    });
    const db = new Sqlite(join(dir, "app.db"), { readonly: true });
    const cipher = createTokenCipher(KEY);
    const readTokens = () => {
      for (const row of db.prepare("select access_token_enc a, refresh_token_enc r from shopify_sessions").all() as { a: string; r: string | null }[]) {
        tokens.push(cipher.decrypt(row.a), ...(row.r ? [cipher.decrypt(row.r)] : []));
      }
    };
    try {
      collected = await exerciseApp({ url: app.url, apiKey: API_KEY, apiSecret: APP_SECRET, sim, beforeUninstall: readTokens });
    } finally {
      db.close();
    }
    // Failing paths log too: MouseStats down, hanging, and a webhook that must be refused.
    sim.faults.errorRate = 1;
    await postRaw(app.url, buildWebhookRequest({ topic: "orders/paid", shop: "scan-b.myshopify.com", secret: APP_SECRET, body: orderPayload({ id: 9, email: "late@example.com", skus: ["mousestats-heatmaps"] }) }));
    await waitFor(() => sim.calls.some((c) => c.email === "late@example.com"), 20_000, "failing call");
    sim.faults.errorRate = 0;
    sim.faults.hang = true;
    await postRaw(app.url, buildWebhookRequest({ topic: "orders/paid", shop: "scan-b.myshopify.com", secret: APP_SECRET, body: orderPayload({ id: 10, email: "hang@example.com", skus: ["mousestats-heatmaps"] }) }));
    await waitFor(() => sim.calls.some((c) => c.email === "hang@example.com"), 20_000, "hanging call");
    await new Promise((resolve) => setTimeout(resolve, 700));
    sim.faults.hang = false;
    app.child.kill("SIGTERM");
    expect(await app.exited).toBe(0);
  }, 120_000);

  afterAll(async () => {
    if (app?.child.exitCode === null) app.child.kill("SIGKILL");
    simServer?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("exercised what it meant to: tokens, passwords, pages, assets and API answers to scan", () => {
    expect(tokens.filter((t) => t.startsWith("shpat_")).length).toBeGreaterThanOrEqual(2);
    expect(tokens.some((t) => t.startsWith("shprt_"))).toBe(true);
    expect(sim.accounts.size).toBeGreaterThanOrEqual(2);
    expect(collected.loginTokens.length).toBeGreaterThan(0);
    expect(collected.bodies.filter((b) => b.kind === "html").length).toBeGreaterThanOrEqual(3);
    expect(collected.bodies.filter((b) => b.kind === "asset").length).toBeGreaterThanOrEqual(3);
    expect(collected.bodies.filter((b) => b.kind === "json").length).toBeGreaterThanOrEqual(8);
    expect(app.output().split("\n").filter((l) => l.startsWith("{")).length).toBeGreaterThan(50);
  });

  it("keeps every secret out of every log line, page, asset, JSON answer and header", () => {
    const passwords = [...sim.accounts.values()].map((a) => a.password);
    const everywhere: Array<[string, string]> = [
      ["partner secret", PARTNER_SECRET], ["app secret", APP_SECRET], ["encryption key", KEY.toString("base64")], ["encryption key", KEY.toString("hex")],
      ...tokens.map((t): [string, string] => ["Shopify token", t]), ...passwords.map((p): [string, string] => ["account password", p]),
    ];
    // Handed to the browser on purpose (the page's session token in sandbox mode, the login URL), never to the log.
    const logOnly: Array<[string, string]> = [...collected.loginTokens.map((t): [string, string] => ["login token", t]), ...collected.sessionTokens.map((t): [string, string] => ["session token", t])];
    const leaks: string[] = [];
    const scan = (where: string, text: string, secrets: Array<[string, string]>) => {
      for (const [what, secret] of secrets) for (const form of forms(secret)) if (text.includes(form)) leaks.push(`${what} in ${where}`);
    };
    const log = app.output();
    scan("the log", log, [...everywhere, ...logOnly]);
    for (const body of collected.bodies) scan(`${body.kind} ${body.path}`, body.text, everywhere);
    expect(leaks).toEqual([]);
  });
});

async function postRaw(url: string, request: { body: string; headers: Record<string, string> }) {
  const res = await fetch(`${url}/webhooks`, { method: "POST", body: request.body, headers: request.headers });
  expect(res.status).toBe(200);
}
