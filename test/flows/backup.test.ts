import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import Sqlite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orderPayload, postWebhook, subscriptionPayload } from "../helpers/webhook-request.ts";
import { startTestServer, waitFor, type TestServer } from "../helpers/test-server.ts";

const run = promisify(execFile);
const ACCOUNTS = fileURLToPath(new URL("../../scripts/accounts.ts", import.meta.url));

describe("npm run accounts -- backup, and restoring it", () => {
  let server: TestServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    server = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), "ms-backup-"));
    env = { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: `${server.dir}/app.db` };
    await postWebhook(server.url, { topic: "app_subscriptions/update", shop: "kept.myshopify.com", body: subscriptionPayload("ACTIVE") });
    await waitFor(() => server.database.sqlite.prepare("select 1 from accounts where email = 'kept@example.com' and status = 'active'").get(), 10_000);
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("copies the live database while the app keeps writing, into a sound file", async () => {
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        const response = await postWebhook(server.url, { topic: "orders/paid", shop: "busy.myshopify.com", body: orderPayload({ id: written + 1, email: "x@y.com", skus: ["tshirt"] }) });
        expect(response.status).toBe(200);
        written++;
      }
    })();
    await waitFor(() => written > 20, 5_000, "writes under way");
    const file = join(dir, "live.db");
    const { stdout } = await run(process.execPath, [ACCOUNTS, "backup", file], { env });
    writing = false;
    await writer;
    expect(stdout).toMatch(/^backed up .*app\.db to .*live\.db \(\d+ pages, \d+ KiB, integrity ok\)\n$/);

    const copy = new Sqlite(file, { readonly: true });
    try {
      expect(copy.pragma("integrity_check", { simple: true })).toBe("ok");
      expect(copy.prepare("select status from accounts where email = 'kept@example.com'").get()).toEqual({ status: "active" });
      const events = (copy.prepare("select count(*) as n from webhook_events where shop = 'busy.myshopify.com'").get() as { n: number }).n;
      expect(events).toBeGreaterThan(0);
      expect(events).toBeLessThanOrEqual(written);
    } finally {
      copy.close();
    }
  });

  it("refuses to overwrite a file", async () => {
    const file = join(dir, "twice.db");
    await run(process.execPath, [ACCOUNTS, "backup", file], { env });
    await expect(run(process.execPath, [ACCOUNTS, "backup", file], { env }))
      .rejects.toMatchObject({ code: 1, stderr: `${file} already exists; choose a new file name\n` });
  });

  it("restores: an app started on a copy of the backup has the accounts and serves", async () => {
    const file = join(dir, "restore-from.db");
    await run(process.execPath, [ACCOUNTS, "backup", file], { env });
    // As the README says: the app stopped, the backup copied to DATABASE_URL, the app started.
    copyFileSync(file, join(dir, "app-restored.db"));
    const app = await startTestServer({ DATABASE_URL: join(dir, "app-restored.db") });
    try {
      expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
      expect(app.database.sqlite.prepare("select status from accounts where email = 'kept@example.com'").get()).toEqual({ status: "active" });
    } finally {
      await app.close();
    }
  });
});
