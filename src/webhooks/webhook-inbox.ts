import type Sqlite from "better-sqlite3";
import type { EnqueueInput, JobQueue } from "../queue/job-queue.ts";

export interface InboxEntry {
  dedupeKey: string;
  eventId: string | null;
  webhookId: string;
  topic: string;
  shop: string;
  triggeredAtMs: number | null;
  receivedAtMs: number;
  jobs: EnqueueInput[];
}

/**
 * The webhook inbox: the event row and its jobs are written in one transaction, so an event
 * is either fully accepted (and will be carried out) or not at all; a second delivery of the
 * same event finds its row and changes nothing.
 */
export function createWebhookInbox(sqlite: Sqlite.Database, queue: JobQueue) {
  const insertEvent = sqlite.prepare(`insert into webhook_events (dedupe_key, event_id, webhook_id, topic, shop, triggered_at, received_at)
    values (@dedupeKey, @eventId, @webhookId, @topic, @shop, @triggeredAtMs, @receivedAtMs) on conflict (dedupe_key) do nothing`);
  const accept = sqlite.transaction((entry: InboxEntry): "accepted" | "duplicate" => {
    const { jobs, ...event } = entry;
    if (insertEvent.run(event).changes === 0) return "duplicate";
    for (const job of jobs) queue.enqueue(job);
    return "accepted";
  });
  return { accept };
}

export type WebhookInbox = ReturnType<typeof createWebhookInbox>;

/** Shopify's documented dedupe key is the event id; deliveries without one fall back to the webhook id. */
export function dedupeKeyFor(topic: string, eventId: string | null, webhookId: string): string {
  return eventId ? `${topic}|event:${eventId}` : `${topic}|webhook:${webhookId}`;
}
