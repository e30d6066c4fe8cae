import type { Db } from "../db/app-database.ts";
import type { PostgresAppDatabase } from "../db/postgres/postgres-database.ts";
import { addJob } from "../queue/postgres/graphile-job-queue.ts";
import type { InboxCallback, InboxEntry, InboxOutcome, WebhookInbox } from "./webhook-inbox.ts";

interface Waiting {
  entry: InboxEntry;
  done: InboxCallback;
}

/**
 * The webhook inbox on PostgreSQL: as on SQLite, an event row and its jobs (graphile-worker's
 * `add_job`) commit in one transaction, and deliveries that arrive while a commit is under way
 * wait and share the next one (group commit); each is answered after its commit. A duplicate
 * delivered to two instances at once meets the partial unique index: one inserts, the other
 * waits for that commit and finds the row. When a batch fails, each entry is retried alone.
 */
export function createPostgresWebhookInbox(database: PostgresAppDatabase): WebhookInbox {
  const columns = "(dedupe_key, event_id, webhook_id, topic, shop, triggered_at, received_at";
  const store = async (e: InboxEntry, tx: Db): Promise<InboxOutcome> => {
    const client = database.queryable(tx);
    const args = [e.dedupeKey, e.eventId, e.webhookId, e.topic, e.shop, e.triggeredAtMs, e.receivedAtMs];
    if (e.jobs.length === 0 && e.unprocessableReason === null) {
      await client.query(`insert into webhook_events ${columns}, has_effect) values ($1, $2, $3, $4, $5, $6, $7, false)`, args);
      return "accepted";
    }
    const inserted = await client.query(`insert into webhook_events ${columns}, payload, unprocessable_reason, has_effect)
      values ($1, $2, $3, $4, $5, $6, $7, $8, $9, true) on conflict (dedupe_key) where has_effect do nothing`, [...args, e.payload, e.unprocessableReason]);
    if (inserted.rowCount === 0) return "duplicate";
    for (const job of e.jobs) await addJob(database, job.kind, job.payload, { idempotencyKey: job.idempotencyKey }, tx);
    return "accepted";
  };

  let batch: Waiting[] = [];
  let flushing = false;

  async function flush(): Promise<void> {
    flushing = true;
    while (batch.length > 0) {
      const current = batch;
      batch = [];
      try {
        const outcomes = await database.transaction(async (tx) => {
          const results: InboxOutcome[] = [];
          for (const w of current) results.push(await store(w.entry, tx));
          return results;
        });
        current.forEach((w, i) => settle(w, null, outcomes[i]));
      } catch {
        // Rolled back whole; each entry alone, so one bad entry fails only itself.
        await Promise.all(current.map(async (w) => {
          try {
            settle(w, null, await database.transaction((tx) => store(w.entry, tx)));
          } catch (err) {
            settle(w, err);
          }
        }));
      }
    }
    flushing = false;
  }

  return {
    accept(entry, done) {
      batch.push({ entry, done });
      if (!flushing) {
        flushing = true;
        setImmediate(() => void flush());
      }
    },
  };
}

function settle(w: Waiting, err: unknown, outcome?: InboxOutcome): void {
  try {
    w.done(err, outcome);
  } catch (callbackError) {
    queueMicrotask(() => { throw callbackError; });
  }
}
