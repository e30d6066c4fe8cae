import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Sqlite from "better-sqlite3";
import { parse } from "smol-toml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedLoopbackPort } from "../../src/mousestats/serve-loopback.ts";
import { buildWebhookRequest, orderPayload } from "../helpers/webhook-request.ts";
import { waitFor } from "../helpers/test-server.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const API_KEY = "0123456789abcdef0123456789abcdef";
const API_SECRET = "shpss_cli-dev-secret-value";
const TUNNEL = "https://lucky-otter-example.trycloudflare.com";

/**
 * The environment `shopify app dev` gives the web process of shopify.web.toml, exactly as
 * Shopify/cli builds it (packages/app/src/cli/services/dev/processes/web.ts, launchWebProcess
 * and runCommands; execa adds it to the developer's own environment).
 */
function shopifyCliEnv(port: number, developerEnv: Record<string, string>): Record<string, string> {
  return {
    ...developerEnv,
    SHOPIFY_API_KEY: API_KEY,
    SHOPIFY_API_SECRET: API_SECRET,
    HOST: TUNNEL,
    SCOPES: "read_orders",
    NODE_ENV: "development",
    BACKEND_PORT: String(port),
    FRONTEND_PORT: String(port),
    APP_URL: TUNNEL,
    APP_ENV: "development",
    REMIX_DEV_ORIGIN: TUNNEL,
    PORT: String(port),
    SERVER_PORT: String(port),
  };
}

async function ipv6Loopback(): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once("error", () => resolve(false));
    server.listen(0, "::1", () => server.close(() => resolve(true)));
  });
}

describe("shopify app dev: the web process with the CLI's environment", () => {
  let dir: string;
  let port: number;
  let dev: ChildProcess;
  let out = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ms-cli-dev-"));
    port = await closedLoopbackPort();
    // What the developer keeps in their shell or .env (the CLI passes none of it).
    const developerEnv = {
      PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", LOG_LEVEL: "warn",
      DATABASE_URL: join(dir, "app.db"), APP_ENCRYPTION_KEY: "ef".repeat(32), ADDON_SKUS: "HEATMAPS-ADDON",
    };
    // The CLI splits the dev command on spaces and runs it without a shell, in the app's folder.
    const web = parse(readFileSync(join(ROOT, "shopify.web.toml"), "utf8")) as { commands: { dev: string } };
    const [command, ...args] = web.commands.dev.split(" ");
    dev = spawn(command!, args, { cwd: ROOT, env: shopifyCliEnv(port, developerEnv), stdio: ["ignore", "pipe", "pipe"], detached: true });
    dev.stdout!.on("data", (d: Buffer) => { out += d.toString(); });
    dev.stderr!.on("data", (d: Buffer) => { out += d.toString(); });
    await waitFor(() => out.includes("Webhooks:"), 20_000, "the app's start-up lines");
  });

  afterAll(async () => {
    // The CLI stops its processes with a tree kill; the process group is the same tree here.
    if (dev.exitCode === null) {
      const exited = new Promise((resolve) => dev.once("exit", resolve));
      process.kill(-dev.pid!, "SIGTERM");
      await exited;
      // npm may end before the app it ran has finished stopping.
      await waitFor(() => fetch(`http://127.0.0.1:${port}/healthz`).then(() => false, () => true), 10_000, "the app to stop");
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("takes the tunnel URL in HOST as its app URL and listens on every interface at PORT", async () => {
    expect(out).toContain(`App URL:    ${TUNNEL} (open the app from the Shopify admin)`);
    expect(out).toContain(`Webhooks:   POST ${TUNNEL}/webhooks`);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    // The CLI's proxy forwards to http://localhost:<port>, which may resolve to ::1.
    if (await ipv6Loopback()) expect((await fetch(`http://[::1]:${port}/healthz`)).status).toBe(200);
  });

  it("serves the embedded page with the CLI's API key", async () => {
    const response = await fetch(`http://127.0.0.1:${port}/?shop=cli-dev.myshopify.com&host=YWRtaW4&embedded=1`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toBe("frame-ancestors https://cli-dev.myshopify.com https://admin.shopify.com;");
    const page = await response.text();
    expect(page).toContain(`<meta name="shopify-api-key" content="${API_KEY}">`);
    expect(page).not.toContain(API_SECRET);
    for (const asset of page.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) {
      expect((await fetch(`http://127.0.0.1:${port}${asset[1]}`)).status).toBe(200);
    }
  });

  it("verifies webhooks with the CLI's secret and acts on them", async () => {
    const delivery = { topic: "orders/paid", shop: "cli-dev.myshopify.com", body: orderPayload({ id: 42, email: "dev-buyer@example.com", skus: ["heatmaps-addon"] }) };
    const forged = buildWebhookRequest({ ...delivery, secret: "sandbox-api-secret" });
    expect((await fetch(`http://127.0.0.1:${port}/webhooks`, { method: "POST", ...forged })).status).toBe(401);
    const signed = buildWebhookRequest({ ...delivery, secret: API_SECRET });
    expect((await fetch(`http://127.0.0.1:${port}/webhooks`, { method: "POST", ...signed })).status).toBe(200);
    const db = new Sqlite(join(dir, "app.db"), { readonly: true });
    try {
      await waitFor(() => db.prepare("select 1 from accounts where email = 'dev-buyer@example.com' and status = 'active'").get(), 10_000, "account active");
    } finally {
      db.close();
    }
  });
});
