import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Sqlite from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { openDatabase, type Database } from "../db/client.ts";
import { createSqliteJobs } from "../queue/sqlite/sqlite-jobs.ts";
import { createSqliteWebhookInbox, type InboxEntry, type InboxOutcome, type WebhookInbox } from "./webhook-inbox.ts";

describe("webhook inbox (group commit)", () => {
  let dir: string;
  let database: Database;
  let inbox: WebhookInbox;
  const accept = (e: InboxEntry) => new Promise<InboxOutcome>((resolve, reject) => inbox.accept(e, (err, outcome) => (outcome ? resolve(outcome) : reject(err))));
  let transactions: number;
  const count = (table: string) => (database.sqlite.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
  const entry = (key: string, jobs: InboxEntry["jobs"] = [{ kind: "provision-order", payload: { key } } as never], extra: Partial<InboxEntry> = {}): InboxEntry => ({
    dedupeKey: `orders/paid|event:${key}`, eventId: key, webhookId: `wh-${key}`, topic: "orders/paid",
    shop: "inbox.myshopify.com", triggeredAtMs: 1, receivedAtMs: 2, jobs,
    payload: jobs.length > 0 ? `{"key":"${key}"}` : null, unprocessableReason: null, ...extra,
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "inbox-"));
    database = openDatabase(join(dir, "app.db"));
    const sqlite = database.sqlite;
    transactions = 0;
    // Counts the transactions the inbox runs; everything else is the real connection.
    const counted = {
      prepare: (sql: string) => sqlite.prepare(sql),
      transaction: <A extends unknown[], R>(fn: (...args: A) => R) => {
        const tx = sqlite.transaction(fn);
        return (...args: A) => { transactions++; return tx(...args); };
      },
    } as unknown as Sqlite.Database;
    inbox = createSqliteWebhookInbox(counted, createSqliteJobs({ sqlite }));
  });
  afterEach(() => {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("commits deliveries that arrive together in one transaction, and answers each only after it", async () => {
    const pending = ["a", "b", "c"].map((key) => accept(entry(key)));
    expect(count("webhook_events")).toBe(0);
    const outcomes = await Promise.all(pending);
    expect(outcomes).toEqual(["accepted", "accepted", "accepted"]);
    expect(transactions).toBe(1);
    // Committed, not just written on this connection: another connection sees the rows.
    const other = new Sqlite(join(dir, "app.db"), { readonly: true });
    expect(other.prepare("select count(*) as n from webhook_events").get()).toEqual({ n: 3 });
    expect(other.prepare("select count(*) as n from jobs").get()).toEqual({ n: 3 });
    other.close();
  });

  it("stores an event once when duplicates share a batch or come later", async () => {
    const together = await Promise.all([accept(entry("dup")), accept(entry("dup"))]);
    expect(together).toEqual(["accepted", "duplicate"]);
    expect(await accept(entry("dup"))).toBe("duplicate");
    expect(count("webhook_events")).toBe(1);
    expect(count("jobs")).toBe(1);
  });

  it("records a delivery that plans no jobs each time, without deduplicating it or enqueuing anything", async () => {
    const ignored = entry("plain-order", []);
    expect(await Promise.all([accept(ignored), accept(ignored)])).toEqual(["accepted", "accepted"]);
    expect(await accept(ignored)).toBe("accepted");
    expect(count("webhook_events")).toBe(3);
    expect(count("jobs")).toBe(0);
    // It takes no place in the dedupe index: the same event with jobs (ADDON_SKUS changed
    // meanwhile) is still carried out once, and only once.
    expect(await accept(entry("plain-order"))).toBe("accepted");
    expect(await accept(entry("plain-order"))).toBe("duplicate");
    expect(count("jobs")).toBe(1);
  });

  it("keeps the body of a delivery with jobs, none of an ignored one", async () => {
    await accept(entry("with-jobs"));
    await accept(entry("ignored", []));
    expect(database.sqlite.prepare("select event_id, payload, unprocessable_reason from webhook_events order by id").all()).toEqual([
      { event_id: "with-jobs", payload: '{"key":"with-jobs"}', unprocessable_reason: null },
      { event_id: "ignored", payload: null, unprocessable_reason: null },
    ]);
  });

  it("keeps an unprocessable delivery whole with its reason, once, and enqueues nothing", async () => {
    const odd = entry("odd", [], { payload: '{"app_subscription":{"status":"PAUSED"}}', unprocessableReason: "unknown subscription status PAUSED" });
    expect(await Promise.all([accept(odd), accept(odd)])).toEqual(["accepted", "duplicate"]);
    expect(database.sqlite.prepare("select payload, unprocessable_reason, has_effect from webhook_events").all()).toEqual([
      { payload: '{"app_subscription":{"status":"PAUSED"}}', unprocessable_reason: "unknown subscription status PAUSED", has_effect: 1 },
    ]);
    expect(count("jobs")).toBe(0);
  });

  it("treats a row stored without has_effect (before the column existed) as deduplicated", async () => {
    database.sqlite.prepare(`insert into webhook_events (dedupe_key, event_id, webhook_id, topic, shop, received_at)
      values ('orders/paid|event:old', 'old', 'wh-old', 'orders/paid', 'inbox.myshopify.com', 1)`).run();
    expect(await accept(entry("old"))).toBe("duplicate");
    expect(count("jobs")).toBe(0);
  });

  it("fails only the entry that cannot be stored; the rest of its batch is committed", async () => {
    const bad = entry("bad", [{ kind: "provision-order", payload: { n: 1n } } as never]); // a BigInt does not serialise
    const results = await Promise.allSettled([accept(entry("ok-1")), accept(bad), accept(entry("ok-2"))]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(database.sqlite.prepare("select event_id from webhook_events order by id").pluck().all()).toEqual(["ok-1", "ok-2"]);
    expect(count("jobs")).toBe(2);
    expect(await accept(entry("after"))).toBe("accepted");
  });

  it("answers the rest of a batch when one entry's callback throws, and throws that error again on its own", async () => {
    const deferred: (() => void)[] = [];
    const spy = vi.spyOn(globalThis, "queueMicrotask").mockImplementation((fn) => { deferred.push(fn); });
    try {
      const answered: string[] = [];
      const done = new Promise<void>((resolve) => {
        inbox.accept(entry("first"), () => { throw new Error("callback bug"); });
        inbox.accept(entry("second"), (_err, outcome) => { answered.push(outcome!); resolve(); });
      });
      await done;
      expect(answered).toEqual(["accepted"]);
      expect(count("webhook_events")).toBe(2);
      expect(deferred).toHaveLength(1);
      expect(() => deferred[0]!()).toThrow("callback bug");
    } finally {
      spy.mockRestore();
    }
  });

  it("starts a new batch for deliveries that arrive after a commit", async () => {
    await accept(entry("first"));
    await accept(entry("second"));
    expect(transactions).toBe(2);
    expect(count("webhook_events")).toBe(2);
  });
});
