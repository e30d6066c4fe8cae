import type { Db } from "../db/app-database.ts";
import type { PostgresAppDatabase } from "../db/postgres/postgres-database.ts";
import { DEFAULT_MAX_ATTEMPTS } from "../queue/postgres/graphile-job-queue.ts";
import type { InboxCallback, InboxEntry, InboxOutcome, WebhookInbox } from "./webhook-inbox.ts";

interface Waiting {
  entry: InboxEntry;
  done: InboxCallback;
}

/**
 * The webhook inbox on PostgreSQL: as on SQLite, an event row and its jobs (graphile-worker's
 * `add_jobs`) commit in one transaction, and deliveries that arrive while a commit is under way
 * wait and share the next one (group commit); each is answered after its commit. A batch is
 * three statements whatever its size (events without effect, events with one, their jobs), so
 * a busy instance does not pay a round trip per delivery (the two-instance soak at 600/s: with a
 * statement per delivery, answers took 11 s at the median and 15,218 went unanswered; batched,
 * p50 414 ms and every delivery answered). Rows and job keys are written in
 * sorted order, so two instances' batches that share keys wait for each other instead of
 * deadlocking. A duplicate delivered to two instances at once meets the partial unique index:
 * one inserts, the other waits for that commit and finds the row. When a batch fails, each
 * entry is retried alone.
 */
export function createPostgresWebhookInbox(database: PostgresAppDatabase): WebhookInbox {
  const insertPlain = `insert into webhook_events (dedupe_key, event_id, webhook_id, topic, shop, triggered_at, received_at, has_effect)
    select k, e, w, t, s, ta, ra, false from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[]) as u(k, e, w, t, s, ta, ra)`;
  const insertWithEffect = `insert into webhook_events (dedupe_key, event_id, webhook_id, topic, shop, triggered_at, received_at, payload, unprocessable_reason, has_effect)
    select k, e, w, t, s, ta, ra, p, r, true
    from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::text[], $9::text[]) with ordinality as u(k, e, w, t, s, ta, ra, p, r, n)
    order by n
    on conflict (dedupe_key) where has_effect do nothing returning dedupe_key`;
  // Keyed jobs merge into a waiting one of their key (its run time kept), as addJob does.
  const addJobs = `select count(*) from graphile_worker.add_jobs(
    array(select json_populate_recordset(null::graphile_worker.job_spec, $1::json)), job_key_preserve_run_at => true)`;
  const columns = (entries: readonly InboxEntry[]) => [
    entries.map((e) => e.dedupeKey), entries.map((e) => e.eventId), entries.map((e) => e.webhookId), entries.map((e) => e.topic),
    entries.map((e) => e.shop), entries.map((e) => e.triggeredAtMs), entries.map((e) => e.receivedAtMs),
  ];

  const storeBatch = async (entries: readonly InboxEntry[], tx: Db): Promise<InboxOutcome[]> => {
    const client = database.queryable(tx);
    const plain = entries.filter((e) => e.jobs.length === 0 && e.unprocessableReason === null);
    if (plain.length > 0) await client.query(insertPlain, columns(plain));
    // The first delivery of a key in the batch is the one inserted (rows go in this order); a later one is its duplicate.
    const withEffect = entries.filter((e) => !plain.includes(e)).sort((a, b) => (a.dedupeKey < b.dedupeKey ? -1 : a.dedupeKey > b.dedupeKey ? 1 : 0));
    const inserted = new Set<string>();
    if (withEffect.length > 0) {
      const { rows } = await client.query<{ dedupe_key: string }>(insertWithEffect, [...columns(withEffect), withEffect.map((e) => e.payload), withEffect.map((e) => e.unprocessableReason)]);
      for (const row of rows) inserted.add(row.dedupe_key);
    }
    const accepted = new Set<InboxEntry>(plain);
    for (const e of withEffect) {
      if (inserted.delete(e.dedupeKey)) accepted.add(e);
    }
    const specs = new Map<string, object>();
    let keyless = 0;
    for (const e of withEffect) {
      if (!accepted.has(e)) continue;
      for (const job of e.jobs) {
        const key = job.idempotencyKey ?? null;
        // One spec per key (add_jobs cannot touch a key twice in one statement): the later one, as two add_job calls would leave it.
        specs.set(key ?? `\u0000${keyless++}`, {
          identifier: job.kind, payload: job.payload ?? null, queue_name: key, job_key: key, max_attempts: DEFAULT_MAX_ATTEMPTS,
        });
      }
    }
    if (specs.size > 0) {
      const sorted = [...specs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, spec]) => spec);
      await client.query(addJobs, [JSON.stringify(sorted)]);
    }
    return entries.map((e) => (accepted.has(e) ? "accepted" : "duplicate"));
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
          return storeBatch(current.map((w) => w.entry), tx);
        });
        current.forEach((w, i) => settle(w, null, outcomes[i]));
      } catch {
        // Rolled back whole; each entry alone, so one bad entry fails only itself.
        await Promise.all(current.map(async (w) => {
          try {
            settle(w, null, (await database.transaction((tx) => storeBatch([w.entry], tx)))[0]);
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
