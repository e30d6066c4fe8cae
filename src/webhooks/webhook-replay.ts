import type { AppDatabase } from "../db/app-database.ts";
import type { AppJobQueue } from "../provisioning/job-kinds.ts";
import { enqueuePlanned } from "../queue/job-queue.ts";
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
export function createWebhookReplay(deps: { database: AppDatabase; queue: AppJobQueue; rules: WebhookRules; now?: () => number }) {
  const { database, queue, rules, now = Date.now } = deps;
  // By our row id, Shopify's event id or its webhook id; the newest when several match. The row
  // id is compared as text: a reference that is not a number matches no id.
  const find = database.statement<StoredDelivery>(`select id, topic, shop, triggered_at, received_at, payload from webhook_events
    where cast(id as text) = @ref or event_id = @ref or webhook_id = @ref order by id desc limit 1`);
  const mark = database.statement("update webhook_events set unprocessable_reason = @reason, replayed_at = @now where id = @id");
  const unprocessable = database.statement<{ id: number; topic: string; shop: string; event_id: string | null; received_at: number; unprocessable_reason: string }>(
    `select id, topic, shop, event_id, received_at, unprocessable_reason from webhook_events
    where unprocessable_reason is not null order by received_at`);

  const replay = (ref: string) => database.transaction(async (tx): Promise<ReplayResult> => {
    const row = await find.get({ ref }, tx);
    if (!row) return { status: "not found" };
    const id = Number(row.id);
    if (row.payload === null) return { status: "no payload", id };
    let body: unknown;
    try {
      body = JSON.parse(row.payload);
    } catch {
      body = undefined; // only verified JSON is stored; a planner still gets to say why it cannot act
    }
    const plan = planWebhook({
      topic: row.topic, shop: row.shop, text: row.payload, body,
      triggeredAtMs: row.triggered_at === null ? null : Number(row.triggered_at), receivedAtMs: Number(row.received_at),
    }, rules);
    await mark.run({ id, now: now(), reason: plan.kind === "unprocessable" ? plan.reason : null }, tx);
    if (plan.kind === "unprocessable") return { status: "unprocessable", id, reason: plan.reason };
    if (plan.kind === "ignore") return { status: "ignored", id, reason: plan.reason };
    for (const job of plan.jobs) await enqueuePlanned(queue, job, { tx });
    return { status: "replayed", id, jobs: plan.jobs.map((j) => j.kind) };
  });

  return {
    replay: (ref: string): Promise<ReplayResult> => replay(ref.trim()),

    /** Verified deliveries the app could not act on, oldest first. */
    async listUnprocessable(): Promise<UnprocessableWebhook[]> {
      return (await unprocessable.all()).map((r) => ({
        id: Number(r.id), topic: r.topic, shop: r.shop, eventId: r.event_id, receivedAt: new Date(Number(r.received_at)).toISOString(), reason: r.unprocessable_reason,
      }));
    },
  };
}
