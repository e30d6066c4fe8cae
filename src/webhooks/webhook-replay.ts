import type Sqlite from "better-sqlite3";
import type { JobQueue } from "../queue/job-queue.ts";
import { planWebhook, type WebhookRules } from "./webhook-jobs.ts";

export type ReplayResult =
  | { status: "replayed"; id: number; jobs: string[] }
  | { status: "ignored"; id: number; reason: string }
  | { status: "unprocessable"; id: number; reason: string }
  | { status: "not found" }
  | { status: "no payload"; id: number };

export interface UnprocessableWebhook {
  id: number;
  topic: string;
  shop: string;
  eventId: string | null;
  receivedAt: string;
  reason: string;
}

interface StoredDelivery {
  id: number; topic: string; shop: string; triggered_at: number | null; received_at: number; payload: string | null;
}

/**
 * The operator's side of the inbox: what was kept as unprocessable, and `replay`, which plans a
 * stored delivery again with today's code (after a fix) and enqueues its jobs as the webhook
 * would have. Jobs are idempotent, so replaying a delivery that already had its effect is safe.
 */
export function createWebhookReplay(deps: { sqlite: Sqlite.Database; queue: JobQueue; rules: WebhookRules; now?: () => number }) {
  const { sqlite, queue, rules, now = Date.now } = deps;
  // By our row id, Shopify's event id or its webhook id; the newest when several match.
  const find = sqlite.prepare(`select id, topic, shop, triggered_at, received_at, payload from webhook_events
    where id = @ref or event_id = @ref or webhook_id = @ref order by id desc limit 1`);
  const mark = sqlite.prepare("update webhook_events set unprocessable_reason = @reason, replayed_at = @now where id = @id");
  const unprocessable = sqlite.prepare(`select id, topic, shop, event_id, received_at, unprocessable_reason from webhook_events
    where unprocessable_reason is not null order by received_at`);

  const replay = sqlite.transaction((ref: string): ReplayResult => {
    const row = find.get({ ref }) as StoredDelivery | undefined;
    if (!row) return { status: "not found" };
    if (row.payload === null) return { status: "no payload", id: row.id };
    let body: unknown;
    try {
      body = JSON.parse(row.payload);
    } catch {
      body = undefined; // only verified JSON is stored; a planner still gets to say why it cannot act
    }
    const plan = planWebhook({ topic: row.topic, shop: row.shop, text: row.payload, body, triggeredAtMs: row.triggered_at, receivedAtMs: row.received_at }, rules);
    mark.run({ id: row.id, now: now(), reason: plan.kind === "unprocessable" ? plan.reason : null });
    if (plan.kind === "unprocessable") return { status: "unprocessable", id: row.id, reason: plan.reason };
    if (plan.kind === "ignore") return { status: "ignored", id: row.id, reason: plan.reason };
    for (const job of plan.jobs) queue.enqueue(job);
    return { status: "replayed", id: row.id, jobs: plan.jobs.map((j) => j.kind) };
  });

  return {
    replay: (ref: string): ReplayResult => replay(ref.trim()),

    /** Verified deliveries the app could not act on, oldest first. */
    listUnprocessable(): UnprocessableWebhook[] {
      return (unprocessable.all() as { id: number; topic: string; shop: string; event_id: string | null; received_at: number; unprocessable_reason: string }[])
        .map((r) => ({ id: r.id, topic: r.topic, shop: r.shop, eventId: r.event_id, receivedAt: new Date(r.received_at).toISOString(), reason: r.unprocessable_reason }));
    },
  };
}
