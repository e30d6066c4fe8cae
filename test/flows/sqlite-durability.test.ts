import { afterEach, describe, expect, it } from "vitest";
import { postWebhook, subscriptionPayload } from "../helpers/webhook-request.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

/** SQLite's `synchronous` values as `pragma synchronous` reads them back. */
const FULL = 2;
const NORMAL = 1;

describe("SQLite durability of acknowledged webhooks", () => {
  let server: TestServer | undefined;
  afterEach(async () => { await server?.close(); server = undefined; });

  it("syncs every commit by default (synchronous FULL): a webhook answered 200 survives a power cut", async () => {
    server = await startTestServer();
    expect(server.database.sqlite.pragma("synchronous", { simple: true })).toBe(FULL);
    expect(server.database.sqlite.pragma("journal_mode", { simple: true })).toBe("wal");
    const res = await postWebhook(server.url, { topic: "app_subscriptions/update", shop: "durable.myshopify.com", body: subscriptionPayload("ACTIVE") });
    expect(res.status).toBe(200);
    expect(server.database.sqlite.prepare("select count(*) as n from webhook_events").get()).toEqual({ n: 1 });
  });

  it("syncs at checkpoints only when SQLITE_SYNCHRONOUS=NORMAL says so", async () => {
    server = await startTestServer({ SQLITE_SYNCHRONOUS: "normal" });
    expect(server.database.sqlite.pragma("synchronous", { simple: true })).toBe(NORMAL);
  });
});
