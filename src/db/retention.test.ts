import { describe, expect, it } from "vitest";
import { createTestDatabase } from "./test-database.ts";
import { createRetention } from "./retention.ts";

describe("retention", () => {
  it("deletes succeeded jobs and inbox rows past their retention, and nothing else (an unprocessable delivery stays)", async () => {
    const database = createTestDatabase();
    const { sqlite } = database;
    const day = 86_400_000;
    const now = 100 * day;
    const job = sqlite.prepare("insert into jobs (kind, payload, status, run_at, max_attempts, created_at, finished_at) values ('k', 'null', ?, 0, 1, 0, ?)");
    job.run("succeeded", now - 15 * day);
    job.run("succeeded", now - 13 * day);
    job.run("failed", now - 90 * day);
    job.run("pending", null);
    const event = sqlite.prepare("insert into webhook_events (dedupe_key, webhook_id, topic, shop, received_at, unprocessable_reason) values (?, 'w', 't', 's', ?, ?)");
    event.run("old", now - 31 * day, null);
    event.run("recent", now - 29 * day, null);
    event.run("old but never processed", now - 90 * day, "unknown subscription status PAUSED");
    expect(await createRetention(database).prune(now)).toEqual({ jobs: 1, webhookEvents: 1 });
    expect(sqlite.prepare("select status from jobs order by id").all()).toEqual([{ status: "succeeded" }, { status: "failed" }, { status: "pending" }]);
    expect(sqlite.prepare("select dedupe_key from webhook_events order by id").all()).toEqual([{ dedupe_key: "recent" }, { dedupe_key: "old but never processed" }]);
    await database.close();
  });
});
