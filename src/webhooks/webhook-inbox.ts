import type Sqlite from "better-sqlite3";
import type { AppJob } from "../provisioning/job-kinds.ts";
import type { SqliteJobs } from "../queue/sqlite/sqlite-jobs.ts";

export interface InboxEntry {
  dedupeKey: string;
  eventId: string | null;
  webhookId: string;
  topic: string;
  shop: string;
  triggeredAtMs: number | null;
  receivedAtMs: number;
  jobs: AppJob[];
  /** The raw body, kept for deliveries with an effect or none yet (replay); null for ignored ones. */
  payload: string | null;
  /** Why a verified body could not be acted on; such a delivery is kept for the operator. */
  unprocessableReason: string | null;
}

export type InboxOutcome = "accepted" | "duplicate";

/** Called once: with the outcome after the commit, or with the error that kept the entry out. */
export type InboxCallback = (err: unknown, outcome?: InboxOutcome) => void;

export interface WebhookInbox {
  /**
   * Stores the event and its jobs, then calls back once they are committed (or found to be a
   * duplicate), or with the error when they could not be stored. Deliveries that arrive
   * together share one transaction (group commit). A callback, not a promise: this is per
   * delivery on the hot path, where each promise and closure showed up in the benchmark.
   */
  accept(entry: InboxEntry, done: InboxCallback): void;
}

interface Waiting {
  entry: InboxEntry;
  done: InboxCallback;
}

/**
 * The webhook inbox on SQLite: an event row and its jobs are written in one transaction, so an event is
 * either fully accepted (and will be carried out) or not at all; a second delivery of the same
 * event finds its row and changes nothing, even when both are in one batch. A delivery with no
 * jobs is only recorded: repeating it changes nothing either. An unprocessable one is kept with
 * its body and deduplicated like one with jobs: a replay may still give it an effect.
 *
 * Group commit: a commit costs far more than an insert, so `accept` gathers the entries of one
 * event-loop turn and commits them together at `setImmediate`, answering each only after that
 * commit. When the batch fails, each entry is retried alone, so one bad entry fails only itself.
 * The commit syncs the WAL here, on the event loop: syncing in libuv's thread pool after a NORMAL
 * commit measured no faster and cost 12-16 µs more CPU per delivery (bench/README.md).
 */
export function createSqliteWebhookInbox(sqlite: Sqlite.Database, queue: SqliteJobs): WebhookInbox {
  const columns = "(dedupe_key, event_id, webhook_id, topic, shop, triggered_at, received_at";
  const insertEvent = sqlite.prepare(`insert into webhook_events ${columns}, payload, unprocessable_reason, has_effect)
    values (?, ?, ?, ?, ?, ?, ?, ?, ?, 1) on conflict (dedupe_key) where has_effect = 1 do nothing`);
  // A delivery that plans no jobs is recorded but not deduplicated (schema.ts, `hasEffect`).
  const recordIgnored = sqlite.prepare(`insert into webhook_events ${columns}, has_effect) values (?, ?, ?, ?, ?, ?, ?, 0)`);
  const store = (e: InboxEntry): InboxOutcome => {
    const args = [e.dedupeKey, e.eventId, e.webhookId, e.topic, e.shop, e.triggeredAtMs, e.receivedAtMs] as const;
    if (e.jobs.length === 0 && e.unprocessableReason === null) {
      recordIgnored.run(...args);
      return "accepted";
    }
    if (insertEvent.run(...args, e.payload, e.unprocessableReason).changes === 0) return "duplicate";
    for (const job of e.jobs) queue.enqueue(job);
    return "accepted";
  };
  const storeOne = sqlite.transaction(store);
  const storeBatch = sqlite.transaction((batch: Waiting[]) => batch.map((w) => store(w.entry)));
  let batch: Waiting[] = [];

  function flush(): void {
    // A transaction of the async seam holds the connection (it ends within this turn): ours would join it.
    if (sqlite.inTransaction) return void setImmediate(flush);
    const current = batch;
    batch = [];
    let outcomes: InboxOutcome[] | undefined;
    try {
      outcomes = storeBatch(current);
    } catch {
      outcomes = undefined; // rolled back whole; find the entry at fault below
    }
    if (outcomes) {
      for (let i = 0; i < current.length; i++) settle(current[i]!, null, outcomes[i]!);
      return;
    }
    for (const w of current) {
      let outcome: InboxOutcome;
      try {
        outcome = storeOne(w.entry);
      } catch (err) {
        settle(w, err);
        continue;
      }
      settle(w, null, outcome);
    }
  }

  return {
    accept(entry, done) {
      if (batch.push({ entry, done }) === 1) setImmediate(flush);
    },
  };
}

/**
 * Calls one entry's callback. A callback that throws (a bug) must not keep the rest of its batch
 * from being answered: its error is thrown again on its own, after this batch.
 */
function settle(w: Waiting, err: unknown, outcome?: InboxOutcome): void {
  try {
    w.done(err, outcome);
  } catch (callbackError) {
    queueMicrotask(() => { throw callbackError; });
  }
}

/** Shopify's documented dedupe key is the event id; deliveries without one fall back to the webhook id. */
export function dedupeKeyFor(topic: string, eventId: string | null, webhookId: string): string {
  return eventId ? `${topic}|event:${eventId}` : `${topic}|webhook:${webhookId}`;
}
