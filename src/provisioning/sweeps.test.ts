import { describe, expect, it } from "vitest";
import { createTestDatabase } from "../db/test-database.ts";
import { createTestQueue } from "./test-queue.ts";
import { createSweeps } from "./sweeps.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function setUp(nowMs: number) {
  const database = createTestDatabase();
  const queue = createTestQueue(database, { now: () => nowMs });
  const sweeps = createSweeps({ database, queue, now: () => nowMs });
  const jobs = () => database.sqlite.prepare("select kind, json_extract(payload, '$.shop') shop, json_extract(payload, '$.email') email from jobs order by id").all();
  return { database, sweeps, jobs };
}

describe("hourly sweeps", () => {
  it("asks Shopify about installed shops silent for a day, at most daily each", async () => {
    const now = 100 * DAY;
    const { database, sweeps, jobs } = setUp(now);
    const shop = database.sqlite.prepare("insert into shops (domain, billing_checked_at) values (?, ?)");
    const session = database.sqlite.prepare("insert into shopify_sessions (id, shop, access_token_enc) values (?, ?, 'x')");
    const billing = database.sqlite.prepare("insert into shop_billing (shop, source_ref, source, status, event_at) values (?, 'gid://x', 'subscription', 'ACTIVE', ?)");
    shop.run("silent.myshopify.com", null); session.run("offline_silent", "silent.myshopify.com"); billing.run("silent.myshopify.com", now - 2 * DAY);
    shop.run("checked.myshopify.com", now - HOUR); session.run("offline_checked", "checked.myshopify.com");
    shop.run("recent-event.myshopify.com", null); session.run("offline_recent", "recent-event.myshopify.com"); billing.run("recent-event.myshopify.com", now - HOUR);
    shop.run("uninstalled.myshopify.com", null); // no session: nothing to ask with
    expect(await sweeps.queueBillingChecks()).toBe(1);
    expect(jobs()).toEqual([{ kind: "reconcile-billing", shop: "silent.myshopify.com", email: null }]);
    expect(await sweeps.queueBillingChecks()).toBe(0); // already waiting
  });

  it("re-drives failed provisioning hourly for 3 days, then daily for a month, then leaves it to the operator", async () => {
    const now = 100 * DAY;
    const { database, sweeps, jobs } = setUp(now);
    const failed = database.sqlite.prepare("insert into accounts (email, status, failed_since, updated_at) values (?, 'failed', ?, ?)");
    failed.run("hour-old@x.com", now - DAY, now - 2 * HOUR); // day 1, last try 2 h ago: due
    failed.run("just-tried@x.com", now - DAY, now - 10 * 60_000); // day 1, last try 10 min ago: not yet
    failed.run("week-old@x.com", now - 7 * DAY, now - 2 * HOUR); // day 7: daily, tried 2 h ago: not yet
    failed.run("week-old-due@x.com", now - 7 * DAY, now - 25 * HOUR); // day 7, a day since: due
    failed.run("given-up@x.com", now - 31 * DAY, now - 2 * DAY); // past a month
    expect(await sweeps.redriveFailedAccounts()).toBe(2);
    expect(jobs().map((j) => (j as { email: string }).email)).toEqual(["hour-old@x.com", "week-old-due@x.com"]);
    expect(database.sqlite.prepare("select email, status from accounts where status = 'pending' order by email").all())
      .toEqual([{ email: "hour-old@x.com", status: "pending" }, { email: "week-old-due@x.com", status: "pending" }]);
  });
});
